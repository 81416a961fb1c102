import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'undici';
import {
  createEndpoint,
  createProject,
  createSource,
  createSubscription,
  eventually,
  FlotillaApi,
  projectPath,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface LogLine {
  service?: string;
  msg?: string;
  request_id?: string;
  route?: string;
  path?: string;
  status?: number;
  method?: string;
}

function logLines(stack: TestStack): LogLine[] {
  return [...stack.services.values()]
    .flatMap((service) => service.output.join('').split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogLine);
}

const secret = (label: string): string => `${label}-${randomBytes(12).toString('hex')}`;

describe('request ids, access logs and secrets kept out of logs', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  let ingestUrl: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler'], { LOG_LEVEL: 'debug' });
    ingestUrl = stack.service('ingest-api').url;
    secrets.push(stack.adminToken, stack.env['FLOTILLA_ENCRYPTION_KEY']!);
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'Request logs');
    secrets.push(project.apiKey);
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  const post = (path: string, body: string, headers: Record<string, string> = {}) =>
    httpRequest(`${ingestUrl}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${project.apiKey}`,
        ...headers,
      },
      body,
    });

  it("echoes the caller's X-Request-Id and writes it on the request's access log line", async () => {
    const response = await post(projectPath(project, 'events'), '{"broken', {
      'x-request-id': 'caller-id-42',
    });
    await response.body.text();
    expect(response.statusCode).toBe(400);
    expect(response.headers['x-request-id']).toBe('caller-id-42');
    // The access line is written once the answer is sent; the pipe from the child may lag.
    await eventually(() => {
      const lines = logLines(stack).filter((line) => line.request_id === 'caller-id-42');
      expect(lines).toContainEqual(
        expect.objectContaining({
          service: 'ingest-api',
          msg: 'request',
          method: 'POST',
          route: '/api/v1/projects/:projectID/events',
          path: `/api/v1/projects/${project.projectId}/events`,
          status: 400,
        }),
      );
      return Promise.resolve();
    });
  });

  it('makes up an id when there is none or the one given is not a short token', async () => {
    const plain = await fetch(`${ingestUrl}/health/live`);
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await fetch(`${ingestUrl}/health/live`, {
      headers: { 'x-request-id': 'x'.repeat(200) },
    });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never writes a secret it was given to any log, over a full run', async () => {
    const endpointSecret = `whsec_${randomBytes(32).toString('base64')}`;
    const endpointAuth = secret('endpoint-auth');
    const hmacSecret = secret('hmac');
    const basicPassword = secret('basic');
    secrets.push(endpointSecret, endpointAuth, hmacSecret, basicPassword);
    const endpoint = await createEndpoint(project, {
      name: 'with secrets',
      url: receiver.url,
      secret: endpointSecret,
      authentication: {
        type: 'api_key',
        api_key: { header_name: 'Authorization', header_value: `Bearer ${endpointAuth}` },
      },
    });
    await createSubscription(project, {
      name: 'all',
      endpoint_id: endpoint.uid,
      filter_config: { event_types: ['*'] },
    });
    const source = await createSource(project, {
      name: 'partner',
      type: 'http',
      verifier: {
        type: 'basic_auth',
        basic_auth: { username: 'partner', password: basicPassword },
      },
    });
    await createSource(project, {
      name: 'github',
      type: 'http',
      provider: 'github',
      verifier: { type: 'hmac', hmac: { secret: hmacSecret } },
    });
    const link = await project.api.expect<{ token: string }>(
      201,
      'POST',
      projectPath(project, 'portal-links'),
      { name: 'Customer', endpoints: [endpoint.uid] },
    );
    secrets.push(link.token);
    await new FlotillaApi(ingestUrl, link.token).request('GET', '/portal-api/endpoints');
    await fetch(`${ingestUrl}/ui/portal?token=${link.token}`);

    const sent = await post(
      projectPath(project, 'events'),
      JSON.stringify({ endpoint_id: endpoint.uid, event_type: 'order.paid', data: { id: 1 } }),
    );
    expect(sent.statusCode).toBe(201);
    await sent.body.text();
    const mask = (source as unknown as { mask_id: string }).mask_id;
    const wrongAuth = await httpRequest(`${ingestUrl}/ingest/${mask}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`partner:${basicPassword}x`).toString('base64')}`,
      },
      body: '{}',
    });
    await wrongAuth.body.text();
    const [delivered] = await receiver.waitForRequests(1);
    expect(delivered!.headers['authorization']).toBe(`Bearer ${endpointAuth}`);
    // Let the dispatcher log the attempt and the scheduler run a few rounds.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const logs = [...stack.services.values()].map((service) => service.output.join('')).join('');
    expect(logs.length).toBeGreaterThan(1000);
    expect(secrets.filter((value) => logs.includes(value))).toEqual([]);
    expect(logs).not.toContain(Buffer.from(`partner:${basicPassword}x`).toString('base64'));
  });
});
