/**
 * L6, the hand-written baseline: the least a durable webhook pipeline must do, with none of
 * Flotilla's features (no auth, routing, subscriptions, retries, rate limits, breaker, attempt log).
 *
 *   ingest   HTTP POST /events → Kafka (acks=all) → 201 after the ack
 *   deliver  Kafka consumer → a local queue → one batched `unnest` insert per ≤ 500 events →
 *            HMAC-signed POST per event
 *
 * Run as two processes, as Flotilla runs ingest-api and the dispatcher:
 *   node minimal-pipeline.js ingest|deliver   (env: L6_PORT, L6_BROKERS, L6_DATABASE_URL, L6_TARGET)
 * Each prints `ready` on stdout once it serves. It is what a careful hand-written service would
 * do, no less (one produce in flight, the rest batched behind it; fetching decoupled from work).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
// The baseline is hand-written on purpose: it must not borrow Flotilla's messaging code.
// eslint-disable-next-line no-restricted-imports
import { Kafka, logLevel, type Message } from 'kafkajs';
import { Pool as PgPool } from 'pg';
import { Pool as HttpPool } from 'undici';
import { MINIMAL_PIPELINE_TOPIC } from './minimal-pipeline-topic';

/**
 * librdkafka's default linger. It matters on the mock broker, which answers a fetch with a few
 * record batches per partition: without it every produce is a batch of one or two events and the
 * consumer falls behind at 500 events/s.
 */
const LINGER_MS = 5;
const secret = Buffer.from('bench-secret-bench-secret-32byte');

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function kafka(): Kafka {
  return new Kafka({
    clientId: 'l6',
    brokers: env('L6_BROKERS').split(','),
    logLevel: logLevel.NOTHING,
  });
}

async function ingest(): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: false });
  await producer.connect();
  // One produce in flight; whatever arrives meanwhile (and within the linger) goes out together.
  let pending: { message: Message; answer: (status: number) => void }[] = [];
  let sending = false;
  const flush = (): void => {
    if (sending || pending.length === 0) return;
    const batch = pending;
    pending = [];
    sending = true;
    producer
      .send({
        topic: MINIMAL_PIPELINE_TOPIC,
        acks: -1,
        messages: batch.map((item) => item.message),
      })
      .then(
        () => {
          batch.forEach((item) => {
            item.answer(201);
          });
        },
        () => {
          batch.forEach((item) => {
            item.answer(503);
          });
        },
      )
      .finally(() => {
        sending = false;
        setTimeout(flush, LINGER_MS);
      });
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        JSON.parse(body.toString('utf8'));
      } catch {
        response.writeHead(400).end();
        return;
      }
      const id = randomUUID();
      pending.push({
        // Keyed by the endpoint, as Flotilla keys events (one endpoint: one partition, in order).
        message: { key: 'endpoint-0', value: body, headers: { id } },
        answer: (status) =>
          response.writeHead(status, { 'content-type': 'application/json' }).end(`{"id":"${id}"}`),
      });
      flush();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(Number(env('L6_PORT')), '127.0.0.1', resolve));
  process.stdout.write('ready\n');
}

async function deliver(): Promise<void> {
  const db = new PgPool({ connectionString: env('L6_DATABASE_URL'), max: 12 });
  await db.query('CREATE TABLE IF NOT EXISTS l6_events (id uuid PRIMARY KEY, body jsonb NOT NULL)');
  const target = new URL(env('L6_TARGET'));
  const http = new HttpPool(target.origin, { connections: 64, pipelining: 1 });
  // The mock broker holds an empty fetch for the whole wait, and delays every rebalance by the
  // session timeout: the same settings as Flotilla's test stack.
  const consumer = kafka().consumer({
    groupId: 'l6',
    maxWaitTimeInMs: 20,
    sessionTimeout: 3000,
    heartbeatInterval: 300,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: MINIMAL_PIPELINE_TOPIC, fromBeginning: true });
  // Ready once the group is joined, so the first events do not wait on the join.
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => {
      resolve();
    }),
  );
  // The consumer only queues what it fetched, so fetching never waits on Postgres or the
  // receiver; up to four batches of 500 are inserted and delivered at a time. Offsets are
  // auto-committed as fetched: weaker than Flotilla's commit-after-delivery, so the baseline errs
  // on the fast side.
  const queue: { id: string; body: string }[] = [];
  let running = 0;
  const pump = (): void => {
    while (running < 4 && queue.length > 0) {
      const batch = queue.splice(0, 500);
      running += 1;
      void deliverBatch(batch)
        .catch((error: unknown) => process.stderr.write(`L6 deliver: ${String(error)}\n`))
        .finally(() => {
          running -= 1;
          pump();
        });
    }
  };
  const deliverBatch = async (batch: { id: string; body: string }[]): Promise<void> => {
    await db.query(
      'INSERT INTO l6_events (id, body) SELECT * FROM unnest($1::uuid[], $2::jsonb[]) ON CONFLICT DO NOTHING',
      [batch.map((item) => item.id), batch.map((item) => item.body)],
    );
    await Promise.all(
      batch.map(async ({ id, body }) => {
        const timestamp = Math.floor(Date.now() / 1000);
        const signature = createHmac('sha256', secret)
          .update(`${id}.${String(timestamp)}.${body}`)
          .digest('base64');
        const response = await http.request({
          method: 'POST',
          path: target.pathname,
          headers: {
            'content-type': 'application/json',
            'webhook-id': id,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': `v1,${signature}`,
          },
          body,
        });
        await response.body.dump();
      }),
    );
  };
  await consumer.run({
    partitionsConsumedConcurrently: 12,
    eachBatch: async (payload) => {
      const { batch } = payload;
      for (const message of batch.messages) {
        queue.push({
          id: String(message.headers?.['id']),
          body: message.value?.toString('utf8') ?? 'null',
        });
      }
      pump();
      while (queue.length > 5000) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        await payload.heartbeat();
      }
    },
  });
  await joined;
  process.stdout.write('ready\n');
}

const mode = process.argv[2];
(mode === 'ingest'
  ? ingest()
  : mode === 'deliver'
    ? deliver()
    : Promise.reject(new Error(mode))
).catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
