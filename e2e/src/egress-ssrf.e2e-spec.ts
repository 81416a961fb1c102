import {
  createProject,
  eventually,
  FlotillaApi,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

/**
 * Without an egress allowlist (production's default) Flotilla refuses private, loopback, link-local
 * and metadata destinations: at endpoint creation for literal addresses and `localhost`, and at
 * connection time for any hostname, whatever it resolves to. Nothing here sends traffic anywhere
 * but loopback: refused addresses are never connected to.
 */
describe('egress safety (SSRF)', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher'], { FLOTILLA_EGRESS_ALLOW: '' });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  it.each([
    ['http://10.0.0.1/hook', /private/],
    ['http://169.254.169.254/latest/meta-data/', /metadata/],
    ['http://[::1]:8080/hook', /loopback/],
    ['http://127.0.0.1:8080/hook', /loopback/],
    ['http://localhost:8080/hook', /loopback|localhost/],
    ['http://100.64.0.1/hook', /CGNAT|cgnat|shared/i],
    ['ftp://example.com/hook', /scheme|http/],
    ['http://user:pass@example.com/hook', /credentials/],
  ])('refuses an endpoint at %s, naming url', async (url, reason) => {
    const project = await createProject(stack.admin, 'ssrf');
    const response = await project.api.post(`/api/v1/projects/${project.projectId}/endpoints`, {
      name: 'bad',
      url,
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'url' });
    expect(response.body.message).toMatch(reason);
  });

  it('refuses at connection time a hostname that resolves to loopback, and records why', async () => {
    // An API replica with loopback allowlisted accepts the endpoint; the dispatcher, without the
    // allowlist, must still refuse when `localhost` resolves to 127.0.0.1 / ::1.
    const lenient = await stack.start('ingest-api', {
      FLOTILLA_EGRESS_ALLOW: '127.0.0.0/8,::1/128',
    });
    const project = await createProject(
      new FlotillaApi(lenient.url, stack.adminToken),
      'rebinding',
      {
        strategy: { type: 'linear', duration: 1, retry_count: 0 },
      },
    );
    const port = new URL(receiver.url).port;
    const endpoint = await project.api.expect<{ uid: string }>(
      201,
      'POST',
      `/api/v1/projects/${project.projectId}/endpoints`,
      {
        name: 'resolves to loopback',
        url: `http://localhost:${port}/webhook`,
      },
    );
    const event = await project.api.expect<{ uid: string }>(
      201,
      'POST',
      `/api/v1/projects/${project.projectId}/events`,
      {
        endpoint_id: endpoint.uid,
        event_type: 'ssrf.probe',
        data: {},
      },
    );
    const delivery = await eventually(async () => {
      const page = await project.api.expect<{ content: { uid: string; status: string }[] }>(
        200,
        'GET',
        `/api/v1/projects/${project.projectId}/eventdeliveries?eventId=${event.uid}`,
      );
      expect(page.content[0]?.status).toBe('Failure');
      return page.content[0]!;
    });
    const attempts = await project.api.expect<{ error_kind: string; error: string }[]>(
      200,
      'GET',
      `/api/v1/projects/${project.projectId}/eventdeliveries/${delivery.uid}/deliveryattempts`,
    );
    expect(attempts[0]).toMatchObject({ error_kind: 'egress_refused' });
    expect(attempts[0]!.error).toMatch(/loopback/);
    expect(receiver.requests).toHaveLength(0);
  });
});
