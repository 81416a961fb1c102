/**
 * `npm start`: the whole system on one machine. Starts what is not already running (Postgres, the
 * Kafka mock broker, the Pub/Sub and SQS emulators), migrates, starts all five services, creates a
 * demo project, endpoint and subscription pointing at a local receiver, sends one event and shows
 * what happened. Ctrl-C stops everything it started.
 *
 * Local mode allowlists loopback for delivery (FLOTILLA_EGRESS_ALLOW=127.0.0.0/8,::1/128); a
 * production install refuses private and loopback destinations.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { ensureDatabase, MigrationRunner } from '@flotilla/db';
import {
  createEndpoint,
  createProject,
  createSubscription,
  ensurePostgresRunning,
  findRepoRoot,
  FlotillaApi,
  isPortOpen,
  localEncryptionKey,
  ServiceProcess,
  SERVICE_NAMES,
  startKafkaMock,
  startPubsubEmulator,
  startSqsEmulator,
  WebhookReceiver,
  type ServiceName,
} from '@flotilla/testing';

const PORTS: Record<ServiceName, number> = {
  'ingest-api': 5005,
  dispatcher: 5006,
  scheduler: 5007,
  'pubsub-ingester': 5008,
  'sqs-ingester': 5009,
  'amqp-ingester': 5010,
};
const PUBSUB_PORT = 8085;
const SQS_PORT = 9324;
const DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/flotilla';

const stops: (() => Promise<unknown>)[] = [];
const log = (message: string): void => {
  process.stdout.write(`[flotilla] ${message}\n`);
};

function adminToken(root: string): string {
  const file = path.join(root, '.flotilla', 'admin-token');
  if (process.env['FLOTILLA_ADMIN_TOKEN']) return process.env['FLOTILLA_ADMIN_TOKEN'];
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const token = `flo_admin_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

async function main(): Promise<void> {
  const root = findRepoRoot();
  const started = Date.now();

  await ensurePostgresRunning();
  const { created } = await ensureDatabase(DATABASE_URL);
  const { applied } = await new MigrationRunner(DATABASE_URL).migrate();
  log(
    `postgres: ${DATABASE_URL}${created ? ' (created)' : ''}; migrations applied: ${applied.length ? applied.join(', ') : 'none pending'}`,
  );

  const kafka = await startKafkaMock({ brokers: 1 });
  stops.push(() => kafka.stop());
  log(`kafka (librdkafka mock broker): ${kafka.bootstrap}`);

  let pubsubHost = `127.0.0.1:${PUBSUB_PORT}`;
  if (await isPortOpen(PUBSUB_PORT)) log(`pub/sub emulator: already running on ${pubsubHost}`);
  else {
    const pubsub = await startPubsubEmulator({ port: PUBSUB_PORT });
    pubsubHost = pubsub.host;
    stops.push(() => pubsub.stop());
    log(`pub/sub emulator: ${pubsubHost}`);
  }
  let sqsEndpoint = `http://127.0.0.1:${SQS_PORT}`;
  if (await isPortOpen(SQS_PORT)) log(`sqs emulator: already running on ${sqsEndpoint}`);
  else {
    const sqs = await startSqsEmulator({ port: SQS_PORT });
    sqsEndpoint = sqs.endpoint;
    stops.push(() => sqs.stop());
    log(`sqs emulator: ${sqsEndpoint}`);
  }

  const token = adminToken(root);
  const env: Record<string, string> = {
    DATABASE_URL,
    KAFKA_BROKERS: kafka.bootstrap,
    // The mock broker cannot serve idempotent producers (it has no controller).
    KAFKA_IDEMPOTENT_PRODUCER: 'false',
    // The mock delays every rebalance by the session timeout: a short one restarts in seconds.
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    // The mock holds an empty fetch for its whole wait, even when a message arrives meanwhile.
    KAFKA_FETCH_MAX_WAIT_MS: '20',
    FLOTILLA_ADMIN_TOKEN: token,
    FLOTILLA_EGRESS_ALLOW: '127.0.0.0/8,::1/128',
    // Encrypts broker sources' and endpoints' credentials at rest (kept in .flotilla/encryption-key).
    FLOTILLA_ENCRYPTION_KEY: localEncryptionKey(root),
    PUBSUB_EMULATOR_HOST: pubsubHost,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    // Emulator mode: keep the Google client from probing the cloud metadata server.
    METADATA_SERVER_DETECTION: 'none',
    NODE_ENV: 'development',
    LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
  };
  const services = await Promise.all(
    SERVICE_NAMES.map(async (name) => {
      if (await isPortOpen(PORTS[name]))
        throw new Error(`port ${PORTS[name]} for ${name} is taken: is Flotilla already running?`);
      const service = await ServiceProcess.start(name, env, PORTS[name]);
      stops.push(() => service.stop('SIGTERM'));
      return service;
    }),
  );
  for (const service of services)
    log(
      `${service.name}: ${service.url} (health ${service.url}/health, metrics ${service.url}/metrics)`,
    );

  // The demo: a receiver on loopback, a project, an endpoint, a subscription, one event.
  const receiver = await WebhookReceiver.start();
  stops.push(() => receiver.stop());
  const admin = new FlotillaApi(`http://127.0.0.1:${PORTS['ingest-api']}`, token);
  const project = await createProject(admin, 'Demo project');
  const endpoint = await createEndpoint(project, { name: 'Demo receiver', url: receiver.url });
  await createSubscription(project, {
    name: 'Everything',
    endpoint_id: endpoint.uid,
    filter_config: { event_types: ['*'] },
  });
  const sent = await project.api.expect<{ uid: string }>(
    201,
    'POST',
    `/api/v1/projects/${project.projectId}/events`,
    {
      endpoint_id: endpoint.uid,
      event_type: 'invoice.paid',
      data: { invoice: 'inv_1001', amount: 4200, currency: 'EUR' },
    },
  );
  const [request] = await receiver.waitForRequests(1, 30_000);
  const deliveries = await waitForDelivery(project.api, project.projectId, sent.uid);
  const delivery = deliveries[0]!;
  const attempts = await project.api.expect<{ http_status: string; latency_ms: number }[]>(
    200,
    'GET',
    `/api/v1/projects/${project.projectId}/eventdeliveries/${delivery.uid}/deliveryattempts`,
  );

  log('');
  log(`demo event ${sent.uid} (invoice.paid) was DELIVERED to ${receiver.url}`);
  log(`  receiver got: ${request!.body}`);
  log(
    `  signed with:  webhook-id=${String(request!.headers['webhook-id'])} webhook-signature=${String(request!.headers['webhook-signature']).slice(0, 24)}...`,
  );
  log(
    `  delivery ${delivery.uid}: status ${delivery.status}, attempts: ${attempts.map((a) => `HTTP ${a.http_status} in ${a.latency_ms} ms`).join(', ')}`,
  );
  const portal = await project.api.expect<{ url: string }>(
    201,
    'POST',
    `/api/v1/projects/${project.projectId}/portal-links`,
    { name: 'Demo customer', endpoints: [endpoint.uid], can_manage_endpoint: true },
  );

  log('');
  log(`everything up in ${((Date.now() - started) / 1000).toFixed(1)} s. Try it:`);
  log(`  dashboard: http://127.0.0.1:${PORTS['ingest-api']}/ui/`);
  log(`    sign in with API key ${project.apiKey}`);
  log(`    and project id      ${project.projectId}`);
  log(`  customer portal of the demo endpoint: ${portal.url}`);
  log(`  export FLOTILLA_PROJECT=${project.projectId} FLOTILLA_API_KEY=${project.apiKey}`);
  log(
    `  curl -s -H "Authorization: Bearer $FLOTILLA_API_KEY" http://127.0.0.1:5005/api/v1/projects/$FLOTILLA_PROJECT/eventdeliveries`,
  );
  log(`  admin token (create projects): ${path.join('.flotilla', 'admin-token')}`);
  log('Ctrl-C stops everything this command started.');
}

async function waitForDelivery(
  api: FlotillaApi,
  projectId: string,
  eventId: string,
): Promise<{ uid: string; status: string }[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const page = await api.expect<{ content: { uid: string; status: string }[] }>(
      200,
      'GET',
      `/api/v1/projects/${projectId}/eventdeliveries?eventId=${eventId}`,
    );
    if (page.content.some((delivery) => delivery.status === 'Success')) return page.content;
    if (Date.now() > deadline)
      throw new Error(`delivery not recorded as Success: ${JSON.stringify(page.content)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  for (const stop of stops.reverse()) {
    await stop().catch((error: unknown) => {
      log(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
  process.exit(code);
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().then(
  () => {
    if (process.env['FLOTILLA_START_EXIT']) void shutdown(0);
  },
  (error: unknown) => {
    process.stderr.write(
      `[flotilla] start failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    void shutdown(1);
  },
);
