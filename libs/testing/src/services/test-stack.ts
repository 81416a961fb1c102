import { randomBytes } from 'node:crypto';
import { MigrationRunner } from '@flotilla/db';
import { FlotillaApi } from '../api/flotilla-api.client';
import { startKafkaMock, type KafkaMockHandle } from '../infra/kafka-mock.launcher';
import { createDatabase, dropDatabase, ensurePostgresRunning } from '../infra/postgres';
import type { ServiceName } from '../infra/workspace';
import { ServiceProcess } from './service-process';

export interface TestStack {
  databaseUrl: string;
  kafka: KafkaMockHandle;
  env: Record<string, string>;
  services: Map<ServiceName, ServiceProcess>;
  adminToken: string;
  admin: FlotillaApi;
  service(name: ServiceName): ServiceProcess;
  start(name: ServiceName, extraEnv?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

/**
 * A whole Flotilla for one test file: its own database (migrated), its own Kafka mock broker, and
 * the built services as real processes. Delivery to loopback is allowlisted, as in local mode.
 */
export async function startTestStack(
  services: readonly ServiceName[],
  extraEnv: Record<string, string> = {},
): Promise<TestStack> {
  await ensurePostgresRunning();
  const databaseName = `flotilla_e2e_${randomBytes(4).toString('hex')}`;
  const databaseUrl = await createDatabase(databaseName);
  await new MigrationRunner(databaseUrl).migrate();
  const kafka = await startKafkaMock();
  const adminToken = `admin-${randomBytes(16).toString('hex')}`;
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafka.bootstrap,
    // The mock broker cannot serve idempotent producers (it has no controller).
    KAFKA_IDEMPOTENT_PRODUCER: 'false',
    // The mock broker delays every rebalance of a non-empty group by the session timeout (less
    // 1 s), even after the old member left cleanly: a short one makes restarts and crashes
    // recover in seconds (a real broker waits only when a member died without leaving).
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    // The mock holds an empty fetch for its whole wait, even when a message arrives meanwhile.
    KAFKA_FETCH_MAX_WAIT_MS: '20',
    FLOTILLA_ADMIN_TOKEN: adminToken,
    FLOTILLA_EGRESS_ALLOW: '127.0.0.0/8,::1/128',
    NODE_ENV: 'test',
    SCHEDULER_INTERVAL_MS: '100',
    METADATA_SERVER_DETECTION: 'none',
    FLOTILLA_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    // Tests and benchmarks push thousands of requests a second through one key; auth-and-tenancy
    // sets a small limit to test it.
    API_RATE_LIMIT_PER_SECOND: '0',
    // Every answer the e2e tests get is checked against its documented schema.
    CHECK_RESPONSES: 'true',
    ...extraEnv,
  };
  const running = new Map<ServiceName, ServiceProcess>();
  // Every process started, including further replicas of a service (the map keeps the latest).
  const started: ServiceProcess[] = [];
  const stack: TestStack = {
    databaseUrl,
    kafka,
    env,
    services: running,
    adminToken,
    admin: new FlotillaApi('', adminToken),
    service(name) {
      const found = running.get(name);
      if (!found) throw new Error(`${name} is not running in this stack`);
      return found;
    },
    async start(name, more = {}) {
      const service = await ServiceProcess.start(name, { ...env, ...more });
      running.set(name, service);
      started.push(service);
      if (name === 'ingest-api') stack.admin = new FlotillaApi(service.url, adminToken);
      return service;
    },
    async stop() {
      await Promise.all(started.map((service) => service.stop('SIGTERM')));
      await kafka.stop();
      await dropDatabase(databaseName).catch(() => undefined);
    },
  };
  // Wait for every start to settle: stopping while a sibling is still starting would leak it.
  const outcomes = await Promise.allSettled(services.map((name) => stack.start(name)));
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) {
    await stack.stop();
    throw failure.reason;
  }
  return stack;
}
