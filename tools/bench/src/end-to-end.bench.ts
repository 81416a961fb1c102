/**
 * End-to-end throughput: events POSTed to ingest-api until the receiver has them all, through Kafka
 * (mock broker), the dispatcher's route and deliver stages and Postgres, signed, on this machine.
 *
 *   node tools/bench/run.mjs [--events 20000] [--concurrency 64] [--endpoints 10] [--dispatchers 1]
 *                            [--rate-limit 1000]
 *
 * Prints the ingest rate (201s per second), the delivery rate (first delivery of each event at the
 * receiver per second, from the first POST to the last delivery) and accept → delivery latency
 * percentiles. Everything runs on loopback; generator, receiver and services share the cores.
 * Signing and the circuit breaker are always on; each endpoint gets a rate limit of `--rate-limit`
 * requests a second (generous, so it costs its bookkeeping without throttling; 0 turns it off).
 */
import { parseArgs } from 'node:util';
import {
  createEndpoint,
  createProject,
  startTestStack,
  stopAll,
  WebhookReceiver,
} from '@flotilla/testing';
import { BENCH_ENV } from './support/bench-env';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    endpoints: { type: 'string', default: '10' },
    dispatchers: { type: 'string', default: '1' },
    'rate-limit': { type: 'string', default: '1000' },
  },
});
const total = Number(values.events);
const concurrency = Number(values.concurrency);
const endpointCount = Number(values.endpoints);
const dispatchers = Number(values.dispatchers);
const rateLimit = Number(values['rate-limit']);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  const stack = await startTestStack(['ingest-api', 'scheduler'], BENCH_ENV);
  // FLOTILLA_NODE_ARGS='--cpu-prof --cpu-prof-dir=DIR' profiles the dispatchers.
  for (let index = 0; index < dispatchers; index += 1) {
    await stack.start('dispatcher', {
      FLOTILLA_NODE_ARGS: process.env['FLOTILLA_NODE_ARGS'] ?? '',
    });
  }
  const receiver = await WebhookReceiver.start();
  try {
    const project = await createProject(stack.admin, 'bench');
    const endpoints = await Promise.all(
      Array.from({ length: endpointCount }, (_, index) =>
        createEndpoint(project, {
          name: `bench-${index}`,
          url: receiver.url,
          ...(rateLimit > 0 ? { rate_limit: rateLimit, rate_limit_duration: 1 } : {}),
        }),
      ),
    );
    const path = `/api/v1/projects/${project.projectId}/events`;
    const sentAt = new Map<number, number>();
    const payload = 'x'.repeat(700); // ~1 KB bodies
    let next = 0;
    let failures = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < total) {
        const seq = next++;
        sentAt.set(seq, Date.now());
        const response = await project.api.post(path, {
          endpoint_id: endpoints[seq % endpointCount]!.uid,
          event_type: 'bench.event',
          data: { seq, payload },
        });
        if (response.status !== 201) failures += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    const ingestSeconds = (performance.now() - started) / 1000;

    const deadline = Date.now() + 10 * 60_000;
    while (
      new Set(receiver.requests.map((request) => request.body)).size < total - failures &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const endSeconds = (performance.now() - started) / 1000;
    const firstDelivery = new Map<number, number>();
    for (const request of receiver.requests) {
      const { seq } = JSON.parse(request.body) as { seq: number };
      if (!firstDelivery.has(seq)) firstDelivery.set(seq, request.receivedAt);
    }
    const latencies = [...firstDelivery]
      .map(([seq, at]) => at - (sentAt.get(seq) ?? at))
      .sort((a, b) => a - b);
    const result = {
      events: total,
      concurrency,
      endpoints: endpointCount,
      dispatchers,
      rate_limit_per_endpoint: rateLimit,
      rejected: failures,
      delivered: firstDelivery.size,
      duplicates: receiver.requests.length - firstDelivery.size,
      ingest_per_second: Math.round(total / ingestSeconds),
      end_to_end_per_second: Math.round(firstDelivery.size / endSeconds),
      latency_ms: {
        p50: percentile(latencies, 50),
        p90: percentile(latencies, 90),
        p99: percentile(latencies, 99),
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await stopAll(receiver, stack);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
