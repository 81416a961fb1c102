import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { createEgressAgent, type EgressResolver } from './egress-agent';
import { EgressPolicy } from './egress-policy';
import { EgressRefusedError } from './egress-refused-error';

// Only ever connects to 127.0.0.1. Non-loopback addresses appear only in resolver answers that the
// agent must refuse before opening any socket.
describe('createEgressAgent', () => {
  let server: Server;
  let port: number;
  const seenHosts: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seenHosts.push(req.headers.host);
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise<void>((resolve, reject) => {
      server.close((error) => {
        if (error) reject(error);
        else resolve();
      });
    });
  });

  const loopback = new EgressPolicy(['127.0.0.0/8', '::1/128']);

  async function get(url: string, policy: EgressPolicy, resolve?: EgressResolver) {
    const agent = createEgressAgent(policy, {
      connectTimeoutMs: 2_000,
      ...(resolve ? { resolve } : {}),
    });
    try {
      const response = await request(url, { dispatcher: agent });
      return { status: response.statusCode, body: await response.body.text() };
    } finally {
      await agent.close();
    }
  }

  it('refuses localhost without an allowlist (it resolves to loopback)', async () => {
    const attempt = get(`http://localhost:${port}/`, new EgressPolicy());
    await expect(attempt).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(attempt).rejects.toMatchObject({
      hostname: 'localhost',
      address: expect.stringMatching(/^(127\.0\.0\.1|::1)$/),
      reason: expect.stringContaining('loopback address and is not in the egress allowlist'),
    });
  });

  it('refuses a literal loopback IP without an allowlist', async () => {
    await expect(get(`http://127.0.0.1:${port}/`, new EgressPolicy())).rejects.toMatchObject({
      name: 'EgressRefusedError',
      address: '127.0.0.1',
    });
  });

  it('connects to localhost once loopback is allowlisted', async () => {
    await expect(get(`http://localhost:${port}/`, loopback)).resolves.toEqual({
      status: 200,
      body: 'ok',
    });
  });

  it('falls back to the next checked address (e.g. ::1 first, server on 127.0.0.1)', async () => {
    const resolve: EgressResolver = () =>
      Promise.resolve([
        { address: '::1', family: 6 },
        { address: '127.0.0.1', family: 4 },
      ]);
    const ipv6Unavailable = { status: 200, body: 'ok' };
    await expect(get(`http://dual.test:${port}/`, loopback, resolve)).resolves.toEqual(
      ipv6Unavailable,
    );
  });

  it('connects to the address it checked and keeps the Host header', async () => {
    const lookups: string[] = [];
    const resolve: EgressResolver = (hostname) => {
      lookups.push(hostname);
      return Promise.resolve([{ address: '127.0.0.1', family: 4 }]);
    };
    await expect(get(`http://hooks.example.test:${port}/`, loopback, resolve)).resolves.toEqual({
      status: 200,
      body: 'ok',
    });
    expect(lookups).toEqual(['hooks.example.test']);
    expect(seenHosts.at(-1)).toBe(`hooks.example.test:${port}`);
  });

  it('refuses when ANY resolved address is disallowed, before connecting anywhere', async () => {
    const resolve: EgressResolver = () =>
      Promise.resolve([
        { address: '127.0.0.1', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ]);
    const before = seenHosts.length;
    await expect(get(`http://mixed.test:${port}/`, loopback, resolve)).rejects.toMatchObject({
      name: 'EgressRefusedError',
      hostname: 'mixed.test',
      address: '169.254.169.254',
    });
    expect(seenHosts).toHaveLength(before);
  });

  it('refuses a hostname resolving to a private address', async () => {
    const resolve: EgressResolver = () => Promise.resolve([{ address: '10.0.0.1', family: 4 }]);
    await expect(get('http://intranet.test/', loopback, resolve)).rejects.toMatchObject({
      name: 'EgressRefusedError',
      address: '10.0.0.1',
      reason: '10.0.0.1 is a private address and is not in the egress allowlist',
    });
  });

  it('works with keep-alive off and a per-origin connection cap', async () => {
    const agent = createEgressAgent(loopback, { keepAlive: false, connectionsPerOrigin: 1 });
    try {
      for (let i = 0; i < 2; i++) {
        const response = await request(`http://127.0.0.1:${port}/`, { dispatcher: agent });
        expect(await response.body.text()).toBe('ok');
      }
    } finally {
      await agent.close();
    }
  });

  it('bounds a hanging DNS lookup by the connect timeout', async () => {
    const resolve: EgressResolver = () => new Promise(() => undefined);
    const agent = createEgressAgent(loopback, { connectTimeoutMs: 50, resolve });
    try {
      await expect(request('http://slow-dns.test/', { dispatcher: agent })).rejects.toMatchObject({
        code: 'UND_ERR_CONNECT_TIMEOUT',
      });
    } finally {
      await agent.close();
    }
  });
});
