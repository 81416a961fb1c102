import {
  createEndpoint,
  createProject,
  eventually,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

const CREDENTIALS = {
  Authorization: 'Bearer s3cret-authorization',
  Cookie: 'sid=s3cret-cookie',
  'X-Api-Key': 's3cret-api-key',
  'X-Session-Token': 's3cret-token',
  'X-Client-Secret': 's3cret-client-secret',
};

/**
 * Credentials an operator puts in an endpoint's custom headers reach the receiver, but are masked
 * wherever Flotilla shows what it sent: the attempt log and endpoint meta events.
 */
describe('credentials in custom headers', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let meta: WebhookReceiver;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    receiver = await WebhookReceiver.start();
    meta = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await stopAll(receiver, meta, stack);
  });

  it('are sent to the receiver but masked in the attempt log and endpoint.updated', async () => {
    const project = await createProject(stack.admin, 'masking');
    const base = `/api/v1/projects/${project.projectId}`;
    await project.api.expect(202, 'PUT', base, {
      config: {
        meta_event: {
          is_enabled: true,
          type: 'http',
          url: meta.url,
          secret: 'meta-secret-0123456789',
          event_type: ['endpoint.updated'],
        },
      },
    });
    const endpoint = await createEndpoint(project, {
      name: 'with credentials',
      url: receiver.url,
      custom_headers: { ...CREDENTIALS, 'X-Team': 'visible-team' },
    });
    await project.api.expect(202, 'PUT', `${base}/endpoints/${endpoint.uid}`, {
      name: 'renamed',
    });
    const event = await project.api.expect<{ uid: string }>(201, 'POST', `${base}/events`, {
      endpoint_id: endpoint.uid,
      event_type: 'masking.test',
      data: {},
    });

    const [delivered] = await receiver.waitForRequests(1);
    for (const [name, value] of Object.entries(CREDENTIALS))
      expect(delivered!.headers[name.toLowerCase()]).toBe(value);

    const attemptHeaders = await eventually(async () => {
      const deliveries = await project.api.expect<{ content: { uid: string }[] }>(
        200,
        'GET',
        `${base}/eventdeliveries?eventId=${event.uid}`,
      );
      const attempts = await project.api.expect<{ request_http_header: Record<string, string> }[]>(
        200,
        'GET',
        `${base}/eventdeliveries/${deliveries.content[0]!.uid}/deliveryattempts`,
      );
      expect(attempts).toHaveLength(1);
      return attempts[0]!.request_http_header;
    });
    expect(attemptHeaders['x-team']).toBe('visible-team');
    for (const name of Object.keys(CREDENTIALS))
      expect(attemptHeaders[name.toLowerCase()]).toBe('[redacted]');

    const updated = await eventually(() => {
      const found = meta.requests.find((request) => request.body.includes('endpoint.updated'));
      expect(found).toBeDefined();
      return Promise.resolve(found!);
    });
    expect(updated.body).toContain('visible-team');
    for (const value of Object.values(CREDENTIALS)) expect(updated.body).not.toContain(value);
  });
});
