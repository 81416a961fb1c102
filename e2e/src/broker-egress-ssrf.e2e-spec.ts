import { createServer, type AddressInfo, type Server } from 'node:net';
import {
  createProject,
  eventually,
  metricValue,
  startTestStack,
  stopAll,
  writeHostsPreload,
  type ServiceProcess,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

/**
 * An SQS source's `endpoint` and an AMQP source's `host` are tenant input: the ingesters must
 * connect to them only through the egress (SSRF) guard, checked on the address the name resolves
 * to when connecting. Only loopback is used: 127.0.0.1 is allowed, 127.0.0.2 stands in for an
 * internal host.
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
    // The ingesters resolve these names to 127.0.0.2, standing in for an internal address.
    const preload = writeHostsPreload({
      'internal-sqs.test': '127.0.0.2',
      'internal-amqp.test': '127.0.0.2',
    });
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
