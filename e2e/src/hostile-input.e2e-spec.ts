import {
  createEndpoint,
  createProject,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

/** JSON text of `{"a":{"a":...}}` nested `depth` levels (JSON.stringify would recurse too). */
function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/**
 * Input crafted to break the server (found by a hostile-input probe) is a 400 naming the field,
 * never a 500: deeply nested JSON, NUL characters that PostgreSQL cannot store.
 */
describe('hostile input gets a 400 naming the field', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  let endpointId: string;
  let base: string;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api']);
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'hostile');
    endpointId = (await createEndpoint(project, { name: 'receiver', url: receiver.url })).uid;
    base = `/api/v1/projects/${project.projectId}`;
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  it('refuses event data nested 10,000 deep, naming data', async () => {
    const response = await project.api.request(
      'POST',
      `${base}/events`,
      undefined,
      `{"endpoint_id":"${endpointId}","event_type":"deep","data":${nested(10_000)}}`,
    );
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'data' });
    expect(response.body.message).toMatch(/nested more than 64 levels/);
  });

  it('refuses a subscription filter nested 10,000 deep, naming filter_config', async () => {
    const response = await project.api.request(
      'POST',
      `${base}/subscriptions`,
      undefined,
      `{"name":"deep","endpoint_id":"${endpointId}","filter_config":{"filter":{"body":${nested(10_000)}}}}`,
    );
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'filter_config' });
  });

  it('refuses a test_filter request nested 10,000 deep, naming request', async () => {
    const response = await project.api.request(
      'POST',
      `${base}/subscriptions/test_filter`,
      undefined,
      `{"request":{"body":${nested(10_000)}},"schema":{"body":{}}}`,
    );
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'request' });
  });

  it('still takes event data nested 60 deep', async () => {
    const response = await project.api.request(
      'POST',
      `${base}/events`,
      undefined,
      `{"endpoint_id":"${endpointId}","event_type":"deep","data":${nested(60)}}`,
    );
    expect(response.status).toBe(201);
  });

  it.each([
    ['events', 'eventType'],
    ['events', 'idempotencyKey'],
    ['events', 'brokerMessageId'],
    ['eventdeliveries', 'eventType'],
    ['eventdeliveries', 'idempotencyKey'],
    ['eventdeliveries', 'brokerMessageId'],
  ])('refuses a NUL character in the %s filter %s, naming it', async (list, parameter) => {
    const response = await project.api.get(`${base}/${list}?${parameter}=a%00b`);
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: parameter });
  });

  it('refuses a NUL character in an event header value, naming the header', async () => {
    const response = await project.api.post(`${base}/events`, {
      endpoint_id: endpointId,
      event_type: 'nul',
      data: {},
      custom_headers: { 'X-Trace': 'a\u0000b' },
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'custom_headers.X-Trace' });
  });

  it('refuses a NUL character in an endpoint header value, naming the header', async () => {
    const response = await project.api.post(`${base}/endpoints`, {
      name: 'nul',
      url: receiver.url,
      custom_headers: { 'X-Trace': 'a\u0000b' },
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'custom_headers.X-Trace' });
  });

  it.each([
    'Content-Length',
    'Transfer-Encoding',
    'Expect',
    'Upgrade',
    'Connection',
    'Host',
    'Keep-Alive',
    'Proxy-Authorization',
    'TE',
    'Trailer',
  ])('refuses an endpoint custom header %s that can never be sent, naming it', async (name) => {
    const response = await project.api.post(`${base}/endpoints`, {
      name: 'unsendable',
      url: receiver.url,
      custom_headers: { [name]: '1' },
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: `custom_headers.${name}` });
  });

  it.each([
    ['a control character', 'a\u0007b'],
    ['non-Latin-1 text', 'caf\u00e9 \u2603'],
  ])('refuses an event custom header value with %s, naming it', async (_, value) => {
    const response = await project.api.post(`${base}/events`, {
      endpoint_id: endpointId,
      event_type: 'bad.header',
      data: {},
      custom_headers: { 'X-Note': value },
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'custom_headers.X-Note' });
  });

  it('refuses an event custom header Host, naming it', async () => {
    const response = await project.api.post(`${base}/events`, {
      endpoint_id: endpointId,
      event_type: 'bad.header',
      data: {},
      custom_headers: { host: 'internal.example' },
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'custom_headers.host' });
  });

  it('refuses an api_key authentication header that can never be sent, naming it', async () => {
    const response = await project.api.post(`${base}/endpoints`, {
      name: 'unsendable auth',
      url: receiver.url,
      authentication: {
        type: 'api_key',
        api_key: { header_name: 'Transfer-Encoding', header_value: 'chunked' },
      },
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'authentication.api_key.header_name' });
  });

  it('still takes ordinary custom headers with Latin-1 text', async () => {
    const response = await project.api.post(`${base}/endpoints`, {
      name: 'fine',
      url: receiver.url,
      custom_headers: { 'X-Team': 'caf\u00e9\tdesk' },
    });
    expect(response.status).toBe(201);
  });
});
