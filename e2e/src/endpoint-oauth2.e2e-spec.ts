import { createServer, type AddressInfo, type Server } from 'node:net';
import {
  createEndpoint,
  createProject,
  eventually,
  NO_RETRIES,
  projectPath,
  sendEvent,
  startTestStack,
  stopAll,
  WebhookReceiver,
  writeHostsPreload,
  type ReceiverResponse,
  type TestStack,
} from '@flotilla/testing';
import { attemptsOnce } from './support/delivery-attempts';

jest.setTimeout(120_000);

const CLIENT_SECRET = 'oauth2-client-s3cret';
const RETRIES = { strategy: { type: 'linear', duration: 1, retry_count: 3 } };

interface Attempt {
  status_code: number | null;
  error: string;
  error_kind: string;
  request_http_header: Record<string, string>;
}

/** A token endpoint on loopback answering as told; by default a fresh token per request. */
async function startTokenEndpoint(
  answer: (index: number) => ReceiverResponse = (index) => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      access_token: `token-${index + 1}`,
      token_type: 'Bearer',
      expires_in: 3600,
    }),
  }),
): Promise<{ server: WebhookReceiver; url: string }> {
  const server = await WebhookReceiver.start((_request, index) => answer(index));
  return { server, url: `${new URL(server.url).origin}/oauth/token` };
}

function oauth2(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'oauth2',
    oauth2: {
      url,
      client_id: 'flotilla-client',
      client_secret: CLIENT_SECRET,
      grant_type: 'client_credentials',
      authentication_type: 'shared_secret',
      scope: 'webhooks',
      ...extra,
    },
  };
}

/**
 * OAuth2 client-credentials endpoints (Convoy's `authentication.type: "oauth2"`): the dispatcher
 * fetches a token from the endpoint's token URL, reuses it, fetches a new one after a 401, and the
 * token URL passes the same egress (SSRF) guard as deliveries. Only loopback is used: 127.0.0.1 is
 * allowed, a host name resolving to 127.0.0.2 stands in for an internal address.
 */
describe('OAuth2 client-credentials endpoints', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let internal: Server;
  let internalPort: number;
  let internalConnections = 0;

  beforeAll(async () => {
    internal = createServer((socket) => {
      internalConnections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.2', resolve));
    internalPort = (internal.address() as AddressInfo).port;
    const preload = writeHostsPreload({ 'internal-token.test': '127.0.0.2' });
    stack = await startTestStack(['ingest-api', 'scheduler'], {
      FLOTILLA_EGRESS_ALLOW: '127.0.0.1/32',
    });
    await stack.start('dispatcher', { FLOTILLA_NODE_ARGS: `--require ${preload}` });
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
    await new Promise<void>((resolve) =>
      internal.close(() => {
        resolve();
      }),
    );
  });

  afterEach(() => {
    receiver.respondWith(() => ({ status: 200, body: 'ok' }));
  });

  it('sends the token as a Bearer header and fetches it once for several deliveries', async () => {
    const tokens = await startTokenEndpoint();
    const project = await createProject(stack.admin, 'oauth2-cache');
    const endpoint = await createEndpoint(project, {
      name: 'oauth2',
      url: `${receiver.url}/cache`,
      authentication: oauth2(tokens.url),
    });
    for (let n = 0; n < 3; n += 1) await sendEvent(project, endpoint.uid, { n });

    const received = await eventually(() => {
      const mine = receiver.requests.filter((request) => request.path.endsWith('/cache'));
      expect(mine).toHaveLength(3);
      return Promise.resolve(mine);
    });
    expect(received.map((request) => request.headers['authorization'])).toEqual([
      'Bearer token-1',
      'Bearer token-1',
      'Bearer token-1',
    ]);
    expect(tokens.server.requests).toHaveLength(1);
    expect(tokens.server.requests[0]!.headers['content-type']).toBe(
      'application/x-www-form-urlencoded',
    );
    expect(Object.fromEntries(new URLSearchParams(tokens.server.requests[0]!.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'flotilla-client',
      client_secret: CLIENT_SECRET,
      scope: 'webhooks',
    });
    await tokens.server.stop();
  });

  it('fetches a new token after the endpoint answers 401, and the retry succeeds', async () => {
    const tokens = await startTokenEndpoint();
    receiver.respondWith((request) =>
      request.path.endsWith('/rotated') && request.headers['authorization'] === 'Bearer token-1'
        ? { status: 401, body: 'token revoked' }
        : { status: 200, body: 'ok' },
    );
    const project = await createProject(stack.admin, 'oauth2-401', RETRIES);
    const endpoint = await createEndpoint(project, {
      name: 'oauth2',
      url: `${receiver.url}/rotated`,
      authentication: oauth2(tokens.url),
    });
    const eventId = await sendEvent(project, endpoint.uid, {});

    const attempts = await attemptsOnce<Attempt>(project, eventId, 'Success');
    expect(attempts.map((attempt) => attempt.status_code).sort()).toEqual([200, 401]);
    expect(tokens.server.requests).toHaveLength(2);
    await tokens.server.stop();
  });

  it('records a failed token request as a failed attempt and retries it', async () => {
    const tokens = await startTokenEndpoint((index) =>
      index === 0
        ? {
            status: 500,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: 'temporarily_unavailable' }),
          }
        : {
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ access_token: 'second-try', expires_in: 60 }),
          },
    );
    const project = await createProject(stack.admin, 'oauth2-token-failure', RETRIES);
    const endpoint = await createEndpoint(project, {
      name: 'oauth2',
      url: `${receiver.url}/token-failure`,
      authentication: oauth2(tokens.url),
    });
    const eventId = await sendEvent(project, endpoint.uid, {});

    const attempts = await attemptsOnce<Attempt>(project, eventId, 'Success');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]).toMatchObject({ status_code: null, error_kind: 'oauth2_token' });
    expect(attempts[0]!.error).toBe(
      `OAuth2 token request to ${tokens.url} failed: HTTP 500 (temporarily_unavailable)`,
    );
    expect(attempts[1]).toMatchObject({ status_code: 200, error: '' });
    const delivered = receiver.requests.filter((request) =>
      request.path.endsWith('/token-failure'),
    );
    expect(delivered.map((request) => request.headers['authorization'])).toEqual([
      'Bearer second-try',
    ]);
    await tokens.server.stop();
  });

  it('never connects to a token URL whose host name resolves to a forbidden address, and records why', async () => {
    const project = await createProject(stack.admin, 'oauth2-ssrf', NO_RETRIES);
    const endpoint = await createEndpoint(project, {
      name: 'oauth2',
      url: `${receiver.url}/ssrf`,
      authentication: oauth2(`http://internal-token.test:${internalPort}/token`),
    });
    const eventId = await sendEvent(project, endpoint.uid, {});

    const attempts = await attemptsOnce<Attempt>(project, eventId, 'Failure');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ error_kind: 'egress_refused' });
    expect(attempts[0]!.error).toMatch(
      /^OAuth2 token request to http:\/\/internal-token\.test:\d+\/token failed: .*127\.0\.0\.2/,
    );
    expect(internalConnections).toBe(0);
    expect(receiver.requests.filter((request) => request.path.endsWith('/ssrf'))).toHaveLength(0);
  });

  it('shows the client secret as [REDACTED] and the token as [redacted] in the attempt log', async () => {
    const tokens = await startTokenEndpoint();
    const project = await createProject(stack.admin, 'oauth2-masking');
    const endpoint = await createEndpoint(project, {
      name: 'oauth2',
      url: `${receiver.url}/masked`,
      authentication: oauth2(tokens.url),
    });
    const shown = await project.api.expect<{ authentication: { oauth2: Record<string, unknown> } }>(
      200,
      'GET',
      projectPath(project, `endpoints/${endpoint.uid}`),
    );
    expect(shown.authentication.oauth2).toMatchObject({
      url: tokens.url,
      client_id: 'flotilla-client',
      client_secret: '[REDACTED]',
    });
    const eventId = await sendEvent(project, endpoint.uid, {});
    const [attempt] = await attemptsOnce<Attempt>(project, eventId, 'Success');
    expect(attempt!.request_http_header['authorization']).toBe('[redacted]');
    await tokens.server.stop();
  });

  it('keeps the stored client secret when an update sends the endpoint back as read', async () => {
    const tokens = await startTokenEndpoint();
    const project = await createProject(stack.admin, 'oauth2-put-back');
    const endpoint = await createEndpoint(project, {
      name: 'oauth2',
      url: `${receiver.url}/put-back`,
      authentication: oauth2(tokens.url),
    });
    const shown = await project.api.expect<{ authentication: unknown }>(
      200,
      'GET',
      projectPath(project, `endpoints/${endpoint.uid}`),
    );
    await project.api.expect(202, 'PUT', projectPath(project, `endpoints/${endpoint.uid}`), {
      name: 'renamed',
      authentication: shown.authentication,
    });
    await sendEvent(project, endpoint.uid, {});
    await eventually(() => {
      expect(tokens.server.requests).toHaveLength(1);
      return Promise.resolve();
    });
    expect(new URLSearchParams(tokens.server.requests[0]!.body).get('client_secret')).toBe(
      CLIENT_SECRET,
    );
    await tokens.server.stop();
  });

  it('leaves the client secret out of endpoint meta events', async () => {
    const meta = await WebhookReceiver.start();
    const project = await createProject(stack.admin, 'oauth2-meta', {
      meta_event: {
        is_enabled: true,
        type: 'http',
        url: meta.url,
        secret: 'meta-secret-0123456789',
        event_type: ['endpoint.created'],
      },
    });
    await createEndpoint(project, {
      name: 'oauth2',
      url: `${receiver.url}/meta`,
      authentication: oauth2('http://127.0.0.1:9/token'),
    });
    const [created] = await meta.waitForRequests(1);
    expect(created!.body).toContain('flotilla-client');
    expect(created!.body).not.toContain(CLIENT_SECRET);
    await meta.stop();
  });

  it('refuses client_assertion, naming the field', async () => {
    const project = await createProject(stack.admin, 'oauth2-assertion');
    const response = await project.api.post(projectPath(project, 'endpoints'), {
      name: 'oauth2',
      url: receiver.url,
      authentication: oauth2('http://127.0.0.1:9/token', {
        authentication_type: 'client_assertion',
      }),
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({
      field: 'authentication.oauth2.authentication_type',
    });
    expect(response.body.message).toMatch(/client_assertion is not supported/);
  });

  it('refuses an OAuth2 authentication without a client secret, naming the field', async () => {
    const project = await createProject(stack.admin, 'oauth2-no-secret');
    const response = await project.api.post(projectPath(project, 'endpoints'), {
      name: 'oauth2',
      url: receiver.url,
      authentication: oauth2('http://127.0.0.1:9/token', { client_secret: undefined }),
    });
    expect(response.status).toBe(400);
    expect(response.body.data).toMatchObject({ field: 'authentication.oauth2.client_secret' });
  });
});
