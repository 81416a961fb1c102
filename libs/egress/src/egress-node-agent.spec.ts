import { request as httpRequest, type Agent } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import type { EgressResolver } from './egress-agent';
import { createEgressNodeAgents } from './egress-node-agent';
import { EgressPolicy } from './egress-policy';

// Only loopback: 127.0.0.1 is the allowed receiver, 127.0.0.2 stands in for an internal host.
describe('createEgressNodeAgents', () => {
  const servers: Server[] = [];
  const connections = new Map<string, number>();

  async function listen(host: string): Promise<number> {
    const server = createServer((socket) => {
      connections.set(host, (connections.get(host) ?? 0) + 1);
      socket.once('data', () => {
        socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok');
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return (server.address() as AddressInfo).port;
  }

  afterAll(async () => {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise<void>((resolve) =>
            server.close(() => {
              resolve();
            }),
          ),
      ),
    );
  });

  const policy = new EgressPolicy(['127.0.0.1/32']);
  const resolve: EgressResolver = (hostname) =>
    Promise.resolve(
      hostname === 'internal.test'
        ? [{ address: '127.0.0.2', family: 4 }]
        : [{ address: '127.0.0.1', family: 4 }],
    );

  function get(agent: Agent, url: string): Promise<number> {
    return new Promise((resolveStatus, reject) => {
      const req = httpRequest(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          resolveStatus(res.statusCode ?? 0);
        });
      });
      req.on('error', reject);
      req.end();
    });
  }

  it('refuses a host name that resolves to a forbidden address without connecting to it', async () => {
    const port = await listen('127.0.0.2');
    const { httpAgent } = createEgressNodeAgents(policy, { resolve });
    await expect(get(httpAgent, `http://internal.test:${port}/`)).rejects.toMatchObject({
      name: 'EgressRefusedError',
      address: '127.0.0.2',
    });
    expect(connections.get('127.0.0.2') ?? 0).toBe(0);
    httpAgent.destroy();
  });

  it('refuses a literal forbidden address', async () => {
    const port = await listen('127.0.0.2');
    const { httpAgent } = createEgressNodeAgents(policy, { resolve });
    await expect(get(httpAgent, `http://127.0.0.2:${port}/`)).rejects.toMatchObject({
      name: 'EgressRefusedError',
    });
    expect(connections.get('127.0.0.2') ?? 0).toBe(0);
    httpAgent.destroy();
  });

  it('connects to an allowed host at the address it checked', async () => {
    const port = await listen('127.0.0.1');
    const { httpAgent } = createEgressNodeAgents(policy, { resolve });
    expect(await get(httpAgent, `http://receiver.test:${port}/`)).toBe(200);
    expect(connections.get('127.0.0.1')).toBe(1);
    httpAgent.destroy();
  });
});
