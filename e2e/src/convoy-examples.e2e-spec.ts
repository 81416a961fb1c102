import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createProject,
  startTestStack,
  stopAll,
  typedApi,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';
import type { FlotillaClient } from '@flotilla/api-client';
import {
  acceptedEventResponseSchema,
  endpointResponseSchema,
  subscriptionResponseSchema,
} from '@flotilla/contracts';

jest.setTimeout(120_000);

/**
 * Convoy's documented request examples, replayed unchanged through the typed client generated from
 * docs/openapi.json. Sources of the examples (Convoy's public docs):
 * - "Send Your First Webhook Event" guide, cURL tab (endpoint, subscription, event);
 * - "Events and Event Deliveries" (fan-out, broadcast with custom headers, dynamic);
 * - "Filters" (the filter documents, used as a subscription's `filter_config.filter.body`).
 * Only two kinds of value are replaced, and each replacement is marked: example hosts become the
 * loopback receiver's URL (tests talk to loopback only), and id placeholders (`<endpoint-id>`,
 * `{string}` where an id is meant) become the ids of what the test created.
 */
describe("Convoy's documented request examples", () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  let api: FlotillaClient;
  const projectID = (): string => project.projectId;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    receiver = await WebhookReceiver.start();
    // A project set up as a Convoy user's would be: Convoy's signature format, so secrets may be
    // any string (Standard Webhooks projects want `whsec_` secrets).
    project = await createProject(stack.admin, 'Convoy examples', {
      signature: { format: 'convoy' },
    });
    api = typedApi(project.api.baseUrl, project.apiKey);
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  /** An endpoint made for the test (not an example), with an owner id for fan-out. */
  async function endpoint(name: string, owner?: string): Promise<string> {
    const { data, error, response } = await api.POST('/api/v1/projects/{projectID}/endpoints', {
      params: { path: { projectID: projectID() } },
      body: { name, url: receiver.url, ...(owner ? { owner_id: owner } : {}) },
    });
    if (!data)
      throw new Error(`endpoint set-up failed: ${response.status} ${JSON.stringify(error)}`);
    return endpointResponseSchema.strict().parse(data.data).uid;
  }

  /** Deliveries the receiver got, by an event's `X-...` header or body marker. */
  async function bodiesFor(count: number, match: (body: string) => boolean): Promise<string[]> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const found = receiver.requests.map((request) => request.body).filter(match);
      if (found.length >= count || Date.now() > deadline) return found;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('subscription (guide, cURL) and a directed event (guide, cURL): 201 and the data reaches the endpoint', async () => {
    const endpointId = await endpoint('guide endpoint');
    const subscription = await api.POST('/api/v1/projects/{projectID}/subscriptions', {
      params: { path: { projectID: projectID() } },
      // Example: { "endpoint_id": <endpoint-id>, "name": "Subscription name" }
      body: { endpoint_id: endpointId, name: 'Subscription name' },
    });
    expect(subscription.response.status).toBe(201);
    expect(subscription.data?.status).toBe(true);
    // The answer has exactly the documented shape (the OpenAPI document's response schema).
    subscriptionResponseSchema.strict().parse(subscription.data?.data);

    const event = await api.POST('/api/v1/projects/{projectID}/events', {
      params: { path: { projectID: projectID() } },
      body: {
        endpoint_id: endpointId, // was "<endpoint-id>"
        event_type: 'payment.success',
        data: {
          event: 'payment.success',
          data: {
            status: 'Completed',
            description: 'Transaction Successful',
            userID: 'test_user_id808',
          },
        },
      },
    });
    expect(event.response.status).toBe(201);
    expect(event.data).toMatchObject({
      status: true,
      data: { event_type: 'payment.success', endpoints: [endpointId] },
    });
    acceptedEventResponseSchema.strict().parse(event.data?.data);

    const [delivered] = await bodiesFor(1, (body) => body.includes('test_user_id808'));
    expect(JSON.parse(delivered!)).toEqual({
      event: 'payment.success',
      data: {
        status: 'Completed',
        description: 'Transaction Successful',
        userID: 'test_user_id808',
      },
    });
  });

  it('fan-out (events page): every endpoint of the owner gets the event', async () => {
    const owner = `owner-${Date.now()}`;
    await endpoint('owner endpoint 1', owner);
    await endpoint('owner endpoint 2', owner);
    const before = receiver.requests.length;
    const { data, response } = await api.POST('/api/v1/projects/{projectID}/events/fanout', {
      params: { path: { projectID: projectID() } },
      body: {
        custom_headers: {},
        data: {},
        owner_id: owner, // was "{string}"
        event_type: '{string}',
        idempotency_key: '{string}',
      },
    });
    expect(response.status).toBe(201);
    expect(data?.status).toBe(true);
    expect(data?.data.owner_id).toBe(owner);
    const deadline = Date.now() + 30_000;
    while (receiver.requests.length - before < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(receiver.requests.slice(before).filter((request) => request.body === '{}')).toHaveLength(
      2,
    );
  });

  it('subscription filters (filters page, $in): only matching events are delivered', async () => {
    const endpointId = await endpoint('filtered endpoint', `filtered-${Date.now()}`);
    const subscription = await api.POST('/api/v1/projects/{projectID}/subscriptions', {
      params: { path: { projectID: projectID() } },
      body: {
        name: 'filtered',
        endpoint_id: endpointId,
        // The filters page's "$in filter" example, unchanged.
        filter_config: {
          event_types: ['*'],
          filter: { body: { operation: { $in: ['created', 'deleted'] } } },
        },
      },
    });
    expect(subscription.response.status).toBe(201);
    for (const operation of ['updated', 'created']) {
      const sent = await api.POST('/api/v1/projects/{projectID}/events', {
        params: { path: { projectID: projectID() } },
        body: {
          endpoint_id: endpointId,
          event_type: 'record.changed',
          data: { operation, marker: 'filter-test' },
        },
      });
      expect(sent.response.status).toBe(201);
    }
    const delivered = await bodiesFor(1, (body) => body.includes('filter-test'));
    // Give a wrongly routed "updated" event time to arrive before asserting it did not.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(
      receiver.requests
        .map((request) => request.body)
        .filter((body) => body.includes('filter-test')),
    ).toEqual(delivered.slice(0, 1));
    expect(JSON.parse(delivered[0]!)).toEqual({ operation: 'created', marker: 'filter-test' });
  });

  it('broadcast with custom headers (events page): subscribed endpoints get the event and the header', async () => {
    const { data, response } = await api.POST('/api/v1/projects/{projectID}/events/broadcast', {
      params: { path: { projectID: projectID() } },
      body: {
        event_type: 'log.sampled',
        data: { foo: 'bar' },
        custom_headers: { 'sample-header': 'sample-value' },
      },
    });
    expect(response.status).toBe(201);
    expect(data?.status).toBe(true);
    const deadline = Date.now() + 30_000;
    let got = receiver.requests.filter(
      (request) => request.headers['sample-header'] === 'sample-value',
    );
    while (got.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      got = receiver.requests.filter(
        (request) => request.headers['sample-header'] === 'sample-value',
      );
    }
    expect(got.length).toBeGreaterThan(0);
    expect(JSON.parse(got[0]!.body)).toEqual({ foo: 'bar' });
  });

  // Convoy's cURL guide sends "http_timeout": "10s", the duration string of older Convoy versions;
  // Flotilla takes whole seconds and such durations alike.
  it('endpoint (guide, cURL): 201 as documented, "10s" read as 10 seconds', async () => {
    const { data, response } = await api.POST('/api/v1/projects/{projectID}/endpoints', {
      params: { path: { projectID: projectID() } },
      body: {
        name: 'Convoy endpoint',
        description: 'Endpoint description',
        http_timeout: '10s',
        url: receiver.url, // was https://webhook.site/40984a4e-7b36-41fb-a234-9c2006bac8b5
      },
    });
    expect(response.status).toBe(201);
    expect(endpointResponseSchema.strict().parse(data?.data)).toMatchObject({
      name: 'Convoy endpoint',
      http_timeout: 10,
    });
  });

  // The events page's dynamic example sends "idempotency_key": "", which Convoy reads as no key.
  it('dynamic event (events page): 201 and delivered as documented', async () => {
    const { response } = await api.POST('/api/v1/projects/{projectID}/events/dynamic', {
      params: { path: { projectID: projectID() } },
      body: {
        url: receiver.url, // was "{endpoint_url}"
        secret: '{endpoint_secret}',
        data: '{data}',
        event_type: '{event_type}',
        event_types: ['{event_type}'],
        idempotency_key: '',
      },
    });
    expect(response.status).toBe(201);
    expect(await bodiesFor(1, (body) => body === '"{data}"')).toHaveLength(1);
  });

  // Convoy documents sources by their API reference fields (its guides show dashboard screenshots,
  // no literal bodies): these bodies use exactly those fields.
  it('source, pub_sub (API reference fields, SQS): 201 and the secrets never shown again', async () => {
    const { data, response } = await api.POST('/api/v1/projects/{projectID}/sources', {
      params: { path: { projectID: projectID() } },
      body: {
        name: 'sqs source',
        type: 'pub_sub',
        pub_sub: {
          type: 'sqs',
          workers: 1,
          sqs: {
            queue_name: 'convoy-events',
            access_key_id: 'AKIAEXAMPLEKEY00',
            secret_key: 'example-secret-key',
            default_region: 'us-east-1',
          },
        },
      },
    });
    expect(response.status).toBe(201);
    const text = JSON.stringify(data);
    expect(text).toContain('convoy-events');
    expect(text).not.toContain('example-secret-key');
  });

  it('source, http with an hmac verifier (API reference fields): a signed request to /ingest/{mask_id} reaches the subscribed endpoint', async () => {
    const created = await api.POST('/api/v1/projects/{projectID}/sources', {
      params: { path: { projectID: projectID() } },
      body: {
        name: 'incoming',
        type: 'http',
        verifier: {
          type: 'hmac',
          hmac: {
            header: 'X-Signature',
            hash: 'SHA256',
            secret: 'incoming-secret',
            encoding: 'hex',
          },
        },
      },
    });
    expect(created.response.status).toBe(201);
    const source = created.data?.data as { uid: string; mask_id: string };
    const endpointId = await endpoint('incoming endpoint', `incoming-${Date.now()}`);
    const subscription = await api.POST('/api/v1/projects/{projectID}/subscriptions', {
      params: { path: { projectID: projectID() } },
      body: { name: 'from incoming', endpoint_id: endpointId, source_id: source.uid },
    });
    expect(subscription.response.status).toBe(201);

    const payload = '{"incoming":"webhook","n":1.50}';
    const signature = createHmac('sha256', 'incoming-secret').update(payload).digest('hex');
    const unsigned = await api.POST('/ingest/{maskID}', {
      params: { path: { maskID: source.mask_id } },
      body: payload as never,
    });
    expect(unsigned.response.status).toBe(401);
    const signed = await fetch(`${project.api.baseUrl}/ingest/${source.mask_id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': signature },
      body: payload,
    });
    expect(signed.status).toBe(200);
    expect(await bodiesFor(1, (body) => body === payload)).toEqual([payload]);
  });

  it('serves the OpenAPI document it was generated from, and the /docs page with its assets', async () => {
    const document = await fetch(`${project.api.baseUrl}/openapi.json`);
    expect(document.status).toBe(200);
    const committed: unknown = JSON.parse(
      readFileSync(path.join(__dirname, '../../docs/openapi.json'), 'utf8'),
    );
    expect(await document.json()).toEqual(committed);
    const page = await fetch(`${project.api.baseUrl}/docs`);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toContain('/openapi.json');
    const script = await fetch(`${project.api.baseUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(script.status).toBe(200);
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    expect((await fetch(`${project.api.baseUrl}/docs/assets/..%2Fpackage.json`)).status).toBe(404);
  });
});
