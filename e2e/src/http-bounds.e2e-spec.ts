import { connect, type Socket } from 'node:net';
import {
  createProject,
  createSource,
  startTestStack,
  stopAll,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(60_000);

interface RawOutcome {
  /** The status line's code, or undefined when the connection closed without an answer. */
  status: number | undefined;
  /** When the server answered or closed the connection, in ms after the request started. */
  ms: number;
}

/** Sends `head` (and `body`, if any) on a raw socket and waits for the answer or the close. */
function rawRequest(
  url: string,
  head: string,
  options: { body?: Buffer; drip?: boolean; waitMs: number },
): Promise<RawOutcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(Number(port), hostname);
    let answer = '';
    let drip: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearInterval(drip);
      clearTimeout(limit);
      socket.destroy();
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        ms: Date.now() - started,
      });
    };
    const limit = setTimeout(finish, options.waitMs);
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n\r\n')) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.write(head);
    if (options.body) socket.write(options.body);
    // A slow-loris client: one byte a second, never finishing its body.
    if (options.drip) {
      drip = setInterval(() => {
        if (!socket.destroyed) socket.write('x');
      }, 1000);
    }
  });
}

/**
 * Every request is answered or cut off in bounded time, authenticated or not: route matching and
 * body reading agree on every path (`/Ingest/...` once hung forever), and a client that never
 * finishes its headers or body is disconnected after HTTP_HEADERS_TIMEOUT_MS /
 * HTTP_REQUEST_TIMEOUT_MS.
 */
describe('bounded HTTP requests', () => {
  let stack: TestStack;
  let url: string;
  let maskId: string;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api'], {
      HTTP_REQUEST_TIMEOUT_MS: '3000',
      HTTP_HEADERS_TIMEOUT_MS: '2000',
    });
    url = stack.service('ingest-api').url;
    const project = await createProject(stack.admin, 'bounds');
    const source = (await createSource(project, {
      name: 'hooks',
      type: 'http',
      verifier: { type: 'api_key', api_key: { header_name: 'X-Api-Key', header_value: 'k' } },
    })) as unknown as { mask_id: string };
    maskId = source.mask_id;
  });

  afterAll(async () => {
    await stopAll(stack);
  });

  it.each(['/Ingest/', '/INGEST/', '/ingest/'])(
    "answers POST %s{a source's mask} with a body promptly",
    async (prefix) => {
      const path = `${prefix}${maskId}`;
      const body = Buffer.alloc(200_000, 'a');
      const outcome = await rawRequest(
        url,
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${String(body.length)}\r\n\r\n`,
        { body, waitMs: 10_000 },
      );
      // Routes are case-sensitive: only /ingest/ reaches the source (which refuses the bad key).
      expect(outcome.status).toBe(prefix === '/ingest/' ? 401 : 404);
      expect(outcome.ms).toBeLessThan(2000);
    },
  );

  it('cuts off a request whose body never finishes', async () => {
    const outcome = await rawRequest(
      url,
      'POST /api/v1/projects/p/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
      { drip: true, waitMs: 15_000 },
    );
    expect(outcome.ms).toBeGreaterThanOrEqual(2500);
    expect(outcome.ms).toBeLessThan(6000);
    if (outcome.status !== undefined) expect(outcome.status).toBe(408);
  });

  it('cuts off a client that never finishes its headers', async () => {
    const outcome = await rawRequest(url, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ', {
      drip: true,
      waitMs: 15_000,
    });
    expect(outcome.ms).toBeGreaterThanOrEqual(1500);
    expect(outcome.ms).toBeLessThan(5000);
    if (outcome.status !== undefined) expect(outcome.status).toBe(408);
  });
});
