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
 * An SQS source's `endpoint` is tenant input: the sqs-ingester must connect to it only through the
 * egress (SSRF) guard, checked on the address the name resolves to when connecting. Only loopback
 * is used: 127.0.0.1 is allowed, 127.0.0.2 stands in for an internal host.
 */
describe('egress safety of broker sources (SSRF)', () => {
  let stack: TestStack;
  let ingester: ServiceProcess;
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
    // The ingester resolves internal-sqs.test to 127.0.0.2, standing in for an internal address.
    const preload = writeHostsPreload({ 'internal-sqs.test': '127.0.0.2' });
    stack = await startTestStack(['ingest-api']);
    ingester = await stack.start('sqs-ingester', {
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
});
