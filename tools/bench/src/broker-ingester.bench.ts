/**
 * Broker ingestion throughput per ingester replica: a backlog of Convoy-format messages waits in
 * an SQS queue (SQS emulator) or a Pub/Sub subscription (Pub/Sub emulator); a source is created
 * through the API and the clock runs from the first message ingested to the last one acknowledged
 * by Kafka (mock broker), read from the ingesters' metrics. The dispatcher is not running: this
 * measures broker → parse → Kafka → ack/delete only.
 *
 *   node tools/bench/run.mjs broker-ingester [--broker sqs|google] [--messages 20000]
 *     [--workers 8] [--replicas 1] [--payload 700]
 *
 * The emulators, the mock broker, Postgres and the ingesters share this machine's cores, so the
 * figures are a floor for one replica on real SQS/Pub/Sub (the SQS emulator is single-threaded and
 * scans its queue on every poll).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  convoyMessage,
  createEndpoint,
  createProject,
  createSource,
  FAKE_SERVICE_ACCOUNT,
  metricValue,
  PubsubTestTopic,
  SQS_TEST_CREDENTIALS,
  SqsTestQueue,
  startPubsubEmulator,
  startSqsEmulator,
  startTestStack,
  stopAll,
  type ProducedMessage,
  type ServiceProcess,
} from '@flotilla/testing';
import { BENCH_ENV } from './support/bench-env';

const { values } = parseArgs({
  options: {
    broker: { type: 'string', default: 'sqs' },
    messages: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '8' },
    replicas: { type: 'string', default: '1' },
    payload: { type: 'string', default: '700' },
  },
});
const broker = values.broker === 'google' ? 'google' : 'sqs';
const total = Number(values.messages);
const workers = Number(values.workers);
const replicaCount = Number(values.replicas);
const payloadBytes = Number(values.payload);
const service = broker === 'sqs' ? 'sqs-ingester' : 'pubsub-ingester';
const GCP_PROJECT = 'flotilla-bench';

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    // utime and stime are fields 14 and 15 of stat, in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

async function main(): Promise<void> {
  const emulator = broker === 'sqs' ? await startSqsEmulator() : await startPubsubEmulator();
  const brokerEnv: Record<string, string> =
    'endpoint' in emulator
      ? { AWS_ENDPOINT_URL_SQS: emulator.endpoint, SQS_WAIT_TIME_SECONDS: '1' }
      : { PUBSUB_EMULATOR_HOST: emulator.host };
  const stack = await startTestStack(['ingest-api'], {
    ...BENCH_ENV,
    SOURCES_REFRESH_MS: '500',
    ...brokerEnv,
  });
  const closers: (() => Promise<void>)[] = [];
  try {
    const replicas: ServiceProcess[] = [];
    for (let index = 0; index < replicaCount; index += 1) replicas.push(await stack.start(service));
    const project = await createProject(stack.admin, 'bench');
    const endpoint = await createEndpoint(project, {
      name: 'bench',
      url: 'http://127.0.0.1:9/unused',
    });
    const messages: ProducedMessage[] = Array.from({ length: total }, (_, seq) => ({
      body: convoyMessage({
        endpoint_id: endpoint.uid,
        event_type: 'bench.event',
        data: { seq, payload: 'x'.repeat(payloadBytes) },
      }),
    }));

    // The backlog first, so the producer does not limit the ingesters.
    const publishStarted = performance.now();
    let sourceBody: Record<string, unknown>;
    if ('endpoint' in emulator) {
      const queue = await SqsTestQueue.create(emulator.endpoint, 'bench');
      closers.push(() => {
        queue.close();
        return Promise.resolve();
      });
      await queue.send(messages, 16);
      sourceBody = {
        queue_name: queue.name,
        default_region: 'us-east-1',
        access_key_id: SQS_TEST_CREDENTIALS.accessKeyId,
        secret_key: SQS_TEST_CREDENTIALS.secretAccessKey,
      };
    } else {
      const topic = await PubsubTestTopic.create(emulator.host, GCP_PROJECT, 'bench');
      closers.push(() => topic.close());
      await topic.publish(messages, 1000);
      sourceBody = {
        project_id: GCP_PROJECT,
        subscription_id: topic.subscription,
        service_account: FAKE_SERVICE_ACCOUNT,
      };
    }
    const publishSeconds = (performance.now() - publishStarted) / 1000;

    const cpuBefore = replicas.map((replica) => cpuSeconds(replica.pid));
    const source = await createSource(project, {
      name: 'bench',
      type: 'pub_sub',
      pub_sub: { type: broker, workers, [broker]: sourceBody },
    });
    const ingested = async (): Promise<number[]> =>
      Promise.all(
        replicas.map(async (replica) =>
          metricValue(await replica.metrics(), 'flotilla_ingester_messages_ingested_total', {
            source: source.uid,
          }),
        ),
      );
    let first = 0;
    let counts: number[] = [];
    const deadline = Date.now() + 600_000;
    for (;;) {
      counts = await ingested();
      const sum = counts.reduce((a, b) => a + b, 0);
      if (sum > 0 && first === 0) first = performance.now();
      if (sum >= total) break;
      if (Date.now() > deadline) throw new Error(`only ${sum} of ${total} ingested in 10 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (performance.now() - first) / 1000;
    const cpu = replicas.map((replica, index) => cpuSeconds(replica.pid) - cpuBefore[index]!);
    const cpuTotal = cpu.reduce((a, b) => a + b, 0);
    const scrape = await replicas[0]!.metrics();
    const acked = metricValue(scrape, 'flotilla_ingester_ack_latency_seconds_count', {
      source: source.uid,
    });
    const latencySum = metricValue(scrape, 'flotilla_ingester_ack_latency_seconds_sum', {
      source: source.uid,
    });
    process.stdout.write(
      `${JSON.stringify(
        {
          broker,
          messages: total,
          payload_bytes: payloadBytes,
          workers_per_replica: workers,
          replicas: replicaCount,
          backlog_published_per_second: Math.round(total / publishSeconds),
          ingest_seconds: Number(seconds.toFixed(2)),
          messages_per_second: Math.round(total / seconds),
          messages_per_second_per_replica: Math.round(total / seconds / replicaCount),
          ingested_by_replica: counts,
          // Throughput per CPU-second of ingester: what a replica with a core to itself can do.
          ingester_cpu_seconds: cpu.map((value) => Number(value.toFixed(2))),
          messages_per_ingester_cpu_second: Math.round(total / cpuTotal),
          mean_receive_to_ack_ms: acked > 0 ? Math.round((latencySum / acked) * 1000) : null,
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    for (const close of closers) await close().catch(() => undefined);
    await stopAll(stack, emulator);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
