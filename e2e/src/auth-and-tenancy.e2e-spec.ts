import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import {
  createEndpoint,
  createProject,
  createSource,
  createSubscription,
  eventually,
  FlotillaApi,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type ApiResponse,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

/** One tenant with something of every kind, so another tenant has ids to try. */
interface Tenant {
  project: DemoProject;
  /** In every name this tenant gives, so its data is recognisable in another tenant's answers. */
  marker: string;
  endpointId: string;
  subscriptionId: string;
  eventId: string;
  deliveryId: string;
  attemptId: string;
  sourceId: string;
  keyId: string;
  failureId: string;
}

interface KeyView {
  uid: string;
  name: string;
  prefix: string;
  status: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  key?: string;
}

type Call = [method: string, path: string, body?: unknown];

const UNKNOWN_PROJECT = '0190a4d2-0000-7000-8000-000000000000';

/**
 * Who may do what: the admin token for instance operations, a project key for exactly its own
 * project (B's key on A's paths is 403; A's key with B's ids is 404 and shows nothing of B), key
 * lifecycle (shown once, listed without secret, revoked or expired → 401) and the per-key rate
 * limit (429 with Retry-After).
 */
describe('auth and tenancy', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let a: Tenant;
  let b: Tenant;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    receiver = await WebhookReceiver.start();
    [a, b] = await Promise.all([tenant('tenant-a'), tenant('tenant-b')]);
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  async function tenant(label: string): Promise<Tenant> {
    const marker = `${label}-${randomBytes(4).toString('hex')}`;
    const project = await createProject(stack.admin, marker);
    const base = `/api/v1/projects/${project.projectId}`;
    const endpoint = await createEndpoint(project, {
      name: `${marker} endpoint`,
      url: receiver.url,
      owner_id: marker,
    });
    const subscription = await createSubscription(project, {
      name: `${marker} subscription`,
      endpoint_id: endpoint.uid,
    });
    const event = await project.api.expect<{ uid: string }>(201, 'POST', `${base}/events`, {
      endpoint_id: endpoint.uid,
      event_type: `${marker}.happened`,
      data: { marker },
    });
    const delivery = await eventually(async () => {
      const page = await project.api.expect<{ content: { uid: string; status: string }[] }>(
        200,
        'GET',
        `${base}/eventdeliveries?eventId=${event.uid}`,
      );
      expect(page.content[0]?.status).toBe('Success');
      return page.content[0]!;
    }, 30_000);
    const attempts = await project.api.expect<{ uid: string }[]>(
      200,
      'GET',
      `${base}/eventdeliveries/${delivery.uid}/deliveryattempts`,
    );
    const source = await createSource(project, {
      name: `${marker} source`,
      type: 'pub_sub',
      // No ingester runs here: the queue is never contacted.
      pub_sub: {
        type: 'sqs',
        workers: 1,
        sqs: {
          queue_name: marker,
          default_region: 'us-east-1',
          access_key_id: 'AKIDEXAMPLE',
          secret_key: 'secret',
        },
      },
    });
    const key = await project.api.expect<KeyView>(201, 'POST', `${base}/keys`, {
      name: `${marker} key`,
    });
    // Ingest failures come from broker ingesters, which this stack does not run: one row as an
    // ingester would record it.
    const failureId = randomUUID();
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO ingest_failures (id, project_id, source_id, broker_message_id, reason, detail, payload, payload_bytes)
         VALUES ($1, $2, $3, $4, 'malformed_json', $5, $6, 3)`,
        [failureId, project.projectId, source.uid, `${marker}-message`, `${marker} detail`, '{x}'],
      );
    } finally {
      await db.end();
    }
    return {
      project,
      marker,
      endpointId: endpoint.uid,
      subscriptionId: subscription.uid,
      eventId: event.uid,
      deliveryId: delivery.uid,
      attemptId: attempts[0]!.uid,
      sourceId: source.uid,
      keyId: key.uid,
      failureId,
    };
  }

  const path = (of: Tenant, rest = ''): string => `/api/v1/projects/${of.project.projectId}${rest}`;

  /** Everything that would identify B in an answer. */
  function expectNothingOf(of: Tenant, response: ApiResponse): void {
    const text = JSON.stringify(response.body);
    for (const id of [
      of.project.projectId,
      of.marker,
      of.endpointId,
      of.subscriptionId,
      of.eventId,
      of.deliveryId,
      of.attemptId,
      of.sourceId,
      of.keyId,
      of.failureId,
    ]) {
      // The id may be echoed back in a "not found" message; B's data never is.
      if (response.status === 404 && response.body.message.includes(id)) continue;
      expect(text).not.toContain(id);
    }
  }

  /** Every route family, with the owner's own ids. */
  function routesOf(of: Tenant): Call[] {
    const p = (rest: string) => path(of, rest);
    return [
      ['GET', p('')],
      ['PUT', p(''), { name: 'hijacked' }],
      ['GET', p('/endpoints')],
      ['POST', p('/endpoints'), { name: 'intruder', url: receiver.url }],
      ['GET', p(`/endpoints/${of.endpointId}`)],
      ['PUT', p(`/endpoints/${of.endpointId}`), { name: 'hijacked' }],
      ['DELETE', p(`/endpoints/${of.endpointId}`)],
      ['PUT', p(`/endpoints/${of.endpointId}/expire_secret`), { expiration: 0 }],
      ['PUT', p(`/endpoints/${of.endpointId}/pause`)],
      ['POST', p(`/endpoints/${of.endpointId}/activate`)],
      ['GET', p('/subscriptions')],
      ['POST', p('/subscriptions'), { name: 'intruder', endpoint_id: of.endpointId }],
      ['GET', p(`/subscriptions/${of.subscriptionId}`)],
      ['PUT', p(`/subscriptions/${of.subscriptionId}`), { name: 'hijacked' }],
      ['DELETE', p(`/subscriptions/${of.subscriptionId}`)],
      ['PUT', p(`/subscriptions/${of.subscriptionId}/toggle_status`)],
      ['GET', p('/events')],
      ['POST', p('/events'), { endpoint_id: of.endpointId, event_type: 'intruder', data: {} }],
      ['POST', p('/events/broadcast'), { event_type: 'intruder', data: {} }],
      ['GET', p(`/events/${of.eventId}`)],
      ['PUT', p(`/events/${of.eventId}/replay`)],
      ['GET', p('/eventdeliveries')],
      ['GET', p('/eventdeliveries/statustotals')],
      ['GET', p(`/eventdeliveries/${of.deliveryId}`)],
      ['PUT', p(`/eventdeliveries/${of.deliveryId}/resend`)],
      ['POST', p('/eventdeliveries/forceresend'), { ids: [of.deliveryId] }],
      ['GET', p(`/eventdeliveries/${of.deliveryId}/deliveryattempts`)],
      ['GET', p(`/eventdeliveries/${of.deliveryId}/deliveryattempts/${of.attemptId}`)],
      ['GET', p('/sources')],
      ['GET', p(`/sources/${of.sourceId}`)],
      ['PUT', p(`/sources/${of.sourceId}`), { name: 'hijacked' }],
      ['DELETE', p(`/sources/${of.sourceId}`)],
      ['GET', p(`/sources/${of.sourceId}/failures`)],
      ['GET', p('/ingestfailures')],
      ['GET', p('/keys')],
      ['POST', p('/keys'), { name: 'intruder' }],
      ['GET', p(`/keys/${of.keyId}`)],
      ['PUT', p(`/keys/${of.keyId}/revoke`)],
    ];
  }

  it("refuses another project's key on every route family (403), changing nothing", async () => {
    for (const [method, route, body] of routesOf(a)) {
      const response = await b.project.api.request(method, route, body);
      expect({ route: `${method} ${route}`, status: response.status }).toEqual({
        route: `${method} ${route}`,
        status: 403,
      });
      expect(response.body).toMatchObject({
        status: false,
        message: 'this API key does not give access to that project',
      });
      expectNothingOf(a, response);
    }
    // A project that does not exist is refused the same way: a key learns nothing about others.
    expect((await b.project.api.get(`/api/v1/projects/${UNKNOWN_PROJECT}/endpoints`)).status).toBe(
      403,
    );
    // Nothing changed: A's things and A's key are as they were.
    const endpoint = await a.project.api.expect<{ name: string }>(
      200,
      'GET',
      path(a, `/endpoints/${a.endpointId}`),
    );
    expect(endpoint.name).toBe(`${a.marker} endpoint`);
    const key = await a.project.api.expect<KeyView>(200, 'GET', path(a, `/keys/${a.keyId}`));
    expect(key.status).toBe('active');
  });

  it("answers 404 for another project's ids on one's own paths, showing none of its data", async () => {
    const notFound: Call[] = [
      ['GET', path(a, `/endpoints/${b.endpointId}`)],
      ['PUT', path(a, `/endpoints/${b.endpointId}`), { name: 'hijacked' }],
      ['DELETE', path(a, `/endpoints/${b.endpointId}`)],
      ['PUT', path(a, `/endpoints/${b.endpointId}/expire_secret`), { expiration: 0 }],
      ['PUT', path(a, `/endpoints/${b.endpointId}/pause`)],
      ['POST', path(a, `/endpoints/${b.endpointId}/activate`)],
      ['GET', path(a, `/subscriptions/${b.subscriptionId}`)],
      ['PUT', path(a, `/subscriptions/${b.subscriptionId}`), { name: 'hijacked' }],
      ['DELETE', path(a, `/subscriptions/${b.subscriptionId}`)],
      ['PUT', path(a, `/subscriptions/${b.subscriptionId}/toggle_status`)],
      // References to another project's things inside a body.
      ['POST', path(a, '/subscriptions'), { name: 'cross', endpoint_id: b.endpointId }],
      [
        'POST',
        path(a, '/subscriptions'),
        { name: 'cross', endpoint_id: a.endpointId, source_id: b.sourceId },
      ],
      ['PUT', path(a, `/subscriptions/${a.subscriptionId}`), { endpoint_id: b.endpointId }],
      ['PUT', path(a, `/subscriptions/${a.subscriptionId}`), { source_id: b.sourceId }],
      ['POST', path(a, '/events'), { endpoint_id: b.endpointId, event_type: 'cross', data: {} }],
      ['GET', path(a, `/events/${b.eventId}`)],
      ['PUT', path(a, `/events/${b.eventId}/replay`)],
      ['GET', path(a, `/eventdeliveries/${b.deliveryId}`)],
      ['PUT', path(a, `/eventdeliveries/${b.deliveryId}/resend`)],
      ['GET', path(a, `/eventdeliveries/${b.deliveryId}/deliveryattempts`)],
      ['GET', path(a, `/eventdeliveries/${b.deliveryId}/deliveryattempts/${b.attemptId}`)],
      ['GET', path(a, `/eventdeliveries/${a.deliveryId}/deliveryattempts/${b.attemptId}`)],
      ['GET', path(a, `/sources/${b.sourceId}`)],
      ['PUT', path(a, `/sources/${b.sourceId}`), { name: 'hijacked' }],
      ['DELETE', path(a, `/sources/${b.sourceId}`)],
      ['GET', path(a, `/sources/${b.sourceId}/failures`)],
      ['GET', path(a, `/keys/${b.keyId}`)],
      ['PUT', path(a, `/keys/${b.keyId}/revoke`)],
    ];
    for (const [method, route, body] of notFound) {
      const response = await a.project.api.request(method, route, body);
      expect({ route: `${method} ${route}`, status: response.status }).toEqual({
        route: `${method} ${route}`,
        status: 404,
      });
      expect(response.body.status).toBe(false);
      expectNothingOf(b, response);
    }

    // Lists, filtered by B's ids or not, show only A's rows.
    const lists = [
      '/endpoints',
      `/endpoints?ownerId=${b.marker}`,
      '/subscriptions',
      '/events',
      `/events?endpointId=${b.endpointId}`,
      `/events?sourceId=${b.sourceId}`,
      '/eventdeliveries',
      `/eventdeliveries?eventId=${b.eventId}`,
      `/eventdeliveries?endpointId=${b.endpointId}`,
      `/eventdeliveries?subscriptionId=${b.subscriptionId}`,
      '/sources',
      '/ingestfailures',
      `/ingestfailures?sourceId=${b.sourceId}`,
      '/keys',
    ];
    for (const list of lists) {
      const response = await a.project.api.get(path(a, list));
      expect({ list, status: response.status }).toEqual({ list, status: 200 });
      expectNothingOf(b, response);
    }
    const unfiltered = await a.project.api.expect<{ content: unknown[] }>(
      200,
      'GET',
      path(a, '/ingestfailures'),
    );
    expect(unfiltered.content).toHaveLength(1);

    // Batch operations count another project's ids as failures and touch nothing of it.
    const resend = await a.project.api.post(path(a, '/eventdeliveries/forceresend'), {
      ids: [b.deliveryId],
    });
    expect(resend.status).toBe(200);
    expect(resend.body.data).toEqual({ successes: 0, failures: 1 });

    // B is untouched.
    const delivery = await b.project.api.expect<{ status: string }>(
      200,
      'GET',
      path(b, `/eventdeliveries/${b.deliveryId}`),
    );
    expect(delivery.status).toBe('Success');
    const endpoint = await b.project.api.expect<{ name: string }>(
      200,
      'GET',
      path(b, `/endpoints/${b.endpointId}`),
    );
    expect(endpoint.name).toBe(`${b.marker} endpoint`);
    expect((await b.project.api.get(path(b))).status).toBe(200);
  });

  it('keeps instance operations to the admin token', async () => {
    for (const [method, route, body] of [
      ['GET', '/api/v1/projects'],
      ['POST', '/api/v1/projects', { name: 'by a project key' }],
      ['DELETE', path(a)],
    ] as Call[]) {
      const response = await a.project.api.request(method, route, body);
      expect({ route: `${method} ${route}`, status: response.status }).toEqual({
        route: `${method} ${route}`,
        status: 403,
      });
      expect(response.body.message).toMatch(/admin token/);
    }
    const wrongAdmin = stack.admin.withToken(`admin-${randomBytes(16).toString('hex')}`);
    expect((await wrongAdmin.get('/api/v1/projects')).status).toBe(401);
    // The admin token reaches every project.
    expect((await stack.admin.get(path(b, `/endpoints/${b.endpointId}`))).status).toBe(200);
    expect((await stack.admin.get(`/api/v1/projects/${UNKNOWN_PROJECT}`)).status).toBe(404);
  });

  it('answers 401 to a missing, malformed or wrong Authorization header', async () => {
    const url = `${stack.service('ingest-api').url}${path(a, '/endpoints')}`;
    const secretOfA = a.project.apiKey.split('.')[2]!;
    const wrongSecret = a.project.apiKey.replace(
      secretOfA,
      secretOfA.endsWith('A') ? `${secretOfA.slice(0, -1)}B` : `${secretOfA.slice(0, -1)}A`,
    );
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from('user:pass').toString('base64')}`,
      `Token ${a.project.apiKey}`,
      'Bearer not-a-key',
      'Bearer FL.0123456789abcdef.short',
      `Bearer ${wrongSecret}`,
      `Bearer ${a.project.apiKey} extra`,
    ]) {
      const response = await fetch(url, {
        headers: header === undefined ? {} : { authorization: header },
      });
      const body = (await response.json()) as {
        status: boolean;
        message: string;
        data?: { field?: string };
      };
      expect({ header, status: response.status }).toEqual({ header, status: 401 });
      expect(body).toMatchObject({ status: false, data: { field: 'Authorization' } });
      expect(body.message).toMatch(/Authorization|API key/);
    }
  });

  it('manages keys: shown once, listed without secrets, usable, revocable, expiring, names unique', async () => {
    const keys = path(a, '/keys');
    const created = await a.project.api.expect<KeyView>(201, 'POST', keys, { name: 'ci' });
    expect(created.key).toMatch(/^FL\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(created.key!.split('.')[1]).toBe(created.prefix);
    expect(created).toMatchObject({
      name: 'ci',
      status: 'active',
      expires_at: null,
      revoked_at: null,
    });
    const secret = created.key!.split('.')[2]!;

    // Never again: not in the list, not in the key's own view.
    const listed = await a.project.api.expect<{ content: KeyView[] }>(200, 'GET', keys);
    expect(listed.content.map((key) => key.name)).toEqual(
      expect.arrayContaining(['ci', `${a.marker} key`]),
    );
    const shown = await a.project.api.get<KeyView>(`${keys}/${created.uid}`);
    for (const response of [shown, await a.project.api.get(keys)]) {
      expect(JSON.stringify(response.body)).not.toContain(secret);
      expect(JSON.stringify(response.body)).not.toMatch(/"key"|key_hash|keyHash/);
    }
    expect(shown.body.data).toMatchObject({
      uid: created.uid,
      prefix: created.prefix,
      last_used_at: null,
    });

    // Usable at once, and its use is recorded.
    const ci = a.project.api.withToken(created.key!);
    expect((await ci.get(path(a, '/endpoints'))).status).toBe(200);
    expect((await ci.get(path(b, '/endpoints'))).status).toBe(403);
    await eventually(async () => {
      const view = await a.project.api.expect<KeyView>(200, 'GET', `${keys}/${created.uid}`);
      expect(view.last_used_at).not.toBeNull();
    });

    // A name is taken once per project (revoked keys keep theirs); another project may reuse it.
    const duplicate = await a.project.api.post(keys, { name: 'ci' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ status: false, data: { field: 'name' } });
    expect((await b.project.api.post(path(b, '/keys'), { name: 'ci' })).status).toBe(201);
    // The admin token manages any project's keys; a key needs no name.
    const unnamed = await stack.admin.expect<KeyView>(201, 'POST', keys, {});
    expect(unnamed.name).toBe(`key-${unnamed.prefix}`);

    // Bad expiries name their field.
    const past = await a.project.api.post(keys, {
      expires_at: new Date(Date.now() - 60_000).toISOString(),
    });
    expect([past.status, (past.body.data as { field?: string }).field]).toEqual([
      400,
      'expires_at',
    ]);
    const both = await a.project.api.post(keys, {
      expires_at: new Date(Date.now() + 60_000).toISOString(),
      expiration: 60,
    });
    expect([both.status, (both.body.data as { field?: string }).field]).toEqual([
      400,
      'expiration',
    ]);

    // Revoked: 401 at once, saying so; revoking again changes nothing; the key stays listed.
    const revoked = await a.project.api.expect<KeyView>(
      200,
      'PUT',
      `${keys}/${created.uid}/revoke`,
    );
    expect(revoked).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) as unknown });
    const refused = await ci.get(path(a, '/endpoints'));
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/revoked/);
    const again = await a.project.api.expect<KeyView>(200, 'PUT', `${keys}/${created.uid}/revoke`);
    expect(again.revoked_at).toBe(revoked.revoked_at);
    expect(
      (await a.project.api.expect<{ content: KeyView[] }>(200, 'GET', keys)).content.find(
        (key) => key.uid === created.uid,
      )?.status,
    ).toBe('revoked');

    // Expiring: works until then, 401 after, saying so.
    const brief = await a.project.api.expect<KeyView>(201, 'POST', keys, {
      name: 'brief',
      expiration: 2,
    });
    expect(Date.parse(brief.expires_at!) - Date.now()).toBeLessThanOrEqual(2000);
    const briefApi = a.project.api.withToken(brief.key!);
    expect((await briefApi.get(path(a))).status).toBe(200);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(brief.expires_at!) - Date.now()) + 100),
    );
    const expired = await briefApi.get(path(a));
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired/);
    const view = await a.project.api.expect<KeyView>(200, 'GET', `${keys}/${brief.uid}`);
    expect(view.status).toBe('expired');
  });

  it('limits each key with 429 and Retry-After; the admin token and incoming webhooks are not limited', async () => {
    // A replica of its own with a small limit: 1 request per second, bursts of 3.
    const limited = await stack.start('ingest-api', {
      API_RATE_LIMIT_PER_SECOND: '1',
      API_RATE_LIMIT_BURST: '3',
    });
    const keyApi = new FlotillaApi(limited.url, a.project.apiKey);
    const statuses: number[] = [];
    let throttled: ApiResponse | undefined;
    for (let i = 0; i < 5; i += 1) {
      const response = await keyApi.get(path(a, '/endpoints'));
      statuses.push(response.status);
      if (response.status === 429) throttled ??= response;
    }
    // Three at once, then refused (a token comes back per second; these requests take far less).
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    expect(throttled!.body).toMatchObject({
      status: false,
      message: expect.stringMatching(/rate limit/) as unknown,
    });
    const retryAfter = Number(throttled!.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);

    // Per key: another key of the same project has its own bucket; the admin token has none.
    const other = await stack.admin.expect<KeyView>(201, 'POST', path(a, '/keys'), {
      name: 'rate limit other',
    });
    expect((await new FlotillaApi(limited.url, other.key).get(path(a, '/endpoints'))).status).toBe(
      200,
    );
    const admin = new FlotillaApi(limited.url, stack.adminToken);
    for (let i = 0; i < 10; i += 1)
      expect((await admin.get(path(a, '/endpoints'))).status).toBe(200);

    // Incoming webhooks carry no key and are not limited by it.
    const source = await a.project.api.expect<{ mask_id: string }>(
      201,
      'POST',
      path(a, '/sources'),
      {
        name: 'incoming',
        type: 'http',
        verifier: { type: 'noop' },
      },
    );
    for (let i = 0; i < 8; i += 1) {
      const response = await fetch(`${limited.url}/ingest/${source.mask_id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: i }),
      });
      expect(response.status).not.toBe(429);
    }

    // After waiting as told, the key works again.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await keyApi.get(path(a, '/endpoints'))).status).toBe(200);
  });
});
