import { Webhook } from 'standardwebhooks';
import {
  createEndpoint,
  createProject,
  createSubscription,
  eventually,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

describe('one event, ingest-api → Kafka → dispatcher → a receiver', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler']);
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'E2E delivery');
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  it('delivers the exact JSON body, signed so the receiver can verify it, and shows it all in the API', async () => {
    const endpoint = await createEndpoint(project, { name: 'receiver', url: receiver.url });
    await createSubscription(project, {
      name: 'all',
      endpoint_id: endpoint.uid,
      filter_config: { event_types: ['*'] },
    });

    // Integer-like keys, a float written 42.0 and unicode: JSON.parse + stringify would change these bytes.
    const data =
      '{"zeta":1,"10":"ten","amount":42.0,"name":"Zoë","nested":{"b":[1,2,{"c":null}],"a":true}}';
    const raw = `{"endpoint_id":"${endpoint.uid}","event_type":"invoice.paid","data":${data},"custom_headers":{"x-tenant":"acme"}}`;
    const sent = await project.api.request<{ uid: string }>(
      'POST',
      `/api/v1/projects/${project.projectId}/events`,
      undefined,
      raw,
    );
    expect(sent.status).toBe(201);
    expect(sent.body.status).toBe(true);
    const eventId = sent.body.data.uid;

    const [request] = await receiver.waitForRequests(1);
    expect(request!.method).toBe('POST');
    expect(request!.body).toBe(data);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['x-tenant']).toBe('acme');
    // Tracing is off unless an OTLP endpoint is configured: no trace headers leave.
    expect(request!.headers['traceparent']).toBeUndefined();
    const headers = {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    };
    // The independent reference verifier accepts it with the endpoint's secret...
    expect(new Webhook(endpoint.secrets[0]!.value).verify(request!.body, headers)).toEqual(
      JSON.parse(data),
    );
    // ...and rejects a tampered body.
    expect(() =>
      new Webhook(endpoint.secrets[0]!.value).verify(
        request!.body.replace('42.0', '43.0'),
        headers,
      ),
    ).toThrow();

    const base = `/api/v1/projects/${project.projectId}`;
    const events = await project.api.expect<{
      content: { uid: string; event_type: string; data: unknown }[];
    }>(200, 'GET', `${base}/events`);
    expect(events.content).toHaveLength(1);
    expect(events.content[0]).toMatchObject({
      uid: eventId,
      event_type: 'invoice.paid',
      data: JSON.parse(data),
    });

    const delivery = await eventually(async () => {
      const page = await project.api.expect<{
        content: { uid: string; status: string; event_id: string }[];
      }>(200, 'GET', `${base}/eventdeliveries?eventId=${eventId}`);
      expect(page.content).toHaveLength(1);
      expect(page.content[0]!.status).toBe('Success');
      return page.content[0]!;
    });
    expect(delivery.event_id).toBe(eventId);
    expect(headers['webhook-id']).toBe(delivery.uid);

    const attempts = await project.api.expect<
      { http_status: string; url: string; request_http_header: Record<string, string> }[]
    >(200, 'GET', `${base}/eventdeliveries/${delivery.uid}/deliveryattempts`);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ http_status: '200', url: receiver.url });
    expect(attempts[0]!.request_http_header['webhook-signature']).toBe(
      headers['webhook-signature'],
    );
  });

  it('exposes health and metrics on every service', async () => {
    for (const service of stack.services.values()) {
      const health = await fetch(`${service.url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: 'ok',
        checks: { database: 'up', kafka: 'up' },
      });
      const metrics = await service.metrics();
      expect(metrics).toMatch(/^process_cpu_seconds_total /m);
    }
    expect(await stack.service('ingest-api').metrics()).toMatch(
      /flotilla_events_ingested_total\{channel="http"\} 1/,
    );
  });
});
