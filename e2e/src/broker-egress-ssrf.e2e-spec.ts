import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createProject,
  eventually,
  metricValue,
  startTestStack,
  stopAll,
  type ServiceProcess,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

/**
 * Replaces the ingester's DNS for one test host name (loaded with `node --require`): the name
 * resolves to 127.0.0.2, standing in for an internal address. Every other name resolves as usual.
 */
const HOSTS_PRELOAD = `
const dns = require('node:dns');
const HOSTS = { 'internal-sqs.test': '127.0.0.2', 'internal-amqp.test': '127.0.0.2' };
const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  if (typeof options === 'function') { callback = options; options = {}; }
  if (typeof options === 'number') options = { family: options };
  const address = HOSTS[hostname];
  if (address === undefined) return lookup.call(dns, hostname, options, callback);
  process.nextTick(() =>
    options && options.all ? callback(null, [{ address, family: 4 }]) : callback(null, address, 4),
  );
};
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = function (hostname, options) {
  const address = HOSTS[hostname];
  if (address === undefined) return lookupPromise.call(dns.promises, hostname, options);
  const all = typeof options === 'object' && options !== null && options.all;
  return Promise.resolve(all ? [{ address, family: 4 }] : { address, family: 4 });
};
`;

/**
 * An SQS source's `endpoint` and an AMQP source's `host` are tenant input: the ingesters must
 * connect to them only through the egress (SSRF) guard, checked on the address the name resolves to when connecting. Only loopback
 * is used: 127.0.0.1 is allowed, 127.0.0.2 stands in for an internal host.
 */
describe('egress safety of broker sources (SSRF)', () => {
  let stack: TestStack;
  let ingester: ServiceProcess;
  let amqpIngester: ServiceProcess;
  let internal: Server;
  let internalPort: number;
  let connections = 0;

  beforeAll(async () => {
    internal = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.2', resolve));
    internalPort = (internal.address() as AddressInfo).port;
    const preload = join(mkdtempSync(join(tmpdir(), 'flotilla-hosts-')), 'hosts.cjs');
    writeFileSync(preload, HOSTS_PRELOAD);
    stack = await startTestStack(['ingest-api']);
    ingester = await stack.start('sqs-ingester', {
      FLOTILLA_EGRESS_ALLOW: '127.0.0.1/32',
      FLOTILLA_NODE_ARGS: `--require ${preload}`,
      SOURCES_REFRESH_MS: '300',
      LOG_LEVEL: 'info',
    });
    amqpIngester = await stack.start('amqp-ingester', {
      FLOTILLA_EGRESS_ALLOW: '127.0.0.1/32',
      FLOTILLA_NODE_ARGS: `--require ${preload}`,
      SOURCES_REFRESH_MS: '300',
      LOG_LEVEL: 'info',
    });
  });

  afterAll(async () => {
    await stopAll(stack);
    await new Promise<void>((resolve) =>
      internal.close(() => {
        resolve();
      }),
    );
  });

  it('never connects to an SQS endpoint whose host name resolves to a forbidden address, and records why', async () => {
    const project = await createProject(stack.admin, 'sqs-ssrf');
    await project.api.expect(201, 'POST', `/api/v1/projects/${project.projectId}/sources`, {
      name: 'internal queue',
      type: 'pub_sub',
      pub_sub: {
        type: 'sqs',
        workers: 1,
        sqs: {
          queue_name: 'orders',
          default_region: 'us-east-1',
          endpoint: `http://internal-sqs.test:${internalPort}`,
          access_key_id: 'AKIDEXAMPLE',
          secret_key: 'secret',
        },
      },
    });
    await eventually(async () => {
      expect(
        metricValue(await ingester.metrics(), 'flotilla_ingester_source_errors_total'),
      ).toBeGreaterThanOrEqual(2);
    }, 30_000);
    expect(connections).toBe(0);
    expect(ingester.output.join('')).toMatch(
      /refusing to connect to internal-sqs\.test \(127\.0\.0\.2\)/,
    );
  });

  it('never connects to an AMQP host whose name resolves to a forbidden address, and records why', async () => {
    const before = connections;
    const project = await createProject(stack.admin, 'amqp-ssrf');
    await project.api.expect(201, 'POST', `/api/v1/projects/${project.projectId}/sources`, {
      name: 'internal broker',
      type: 'pub_sub',
      pub_sub: {
        type: 'amqp',
        workers: 1,
        amqp: {
          schema: 'amqp',
          host: 'internal-amqp.test',
          port: String(internalPort),
          queue: 'orders',
          auth: { user: 'guest', password: 'guest' },
        },
      },
    });
    await eventually(async () => {
      expect(
        metricValue(await amqpIngester.metrics(), 'flotilla_ingester_source_errors_total'),
      ).toBeGreaterThanOrEqual(2);
    }, 30_000);
    expect(connections).toBe(before);
    expect(amqpIngester.output.join('')).toMatch(
      /refusing to connect to internal-amqp\.test \(127\.0\.0\.2\)/,
    );
  });
});
