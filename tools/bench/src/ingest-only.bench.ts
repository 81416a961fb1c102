/**
 * Ingest throughput alone: events POSTed to ingest-api and acknowledged by Kafka (no dispatcher).
 *
 *   node tools/bench/run.mjs ingest-only [--events 20000] [--concurrency 64]
 */
import { parseArgs } from 'node:util';
import { createEndpoint, createProject, startTestStack, stopAll } from '@flotilla/testing';
import { BENCH_ENV } from './support/bench-env';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
  },
});
const total = Number(values.events);
const concurrency = Number(values.concurrency);

async function main(): Promise<void> {
  const stack = await startTestStack(['ingest-api'], BENCH_ENV);
  try {
    const project = await createProject(stack.admin, 'bench');
    const endpoint = await createEndpoint(project, {
      name: 'bench',
      url: 'http://127.0.0.1:9/unused',
    });
    const path = `/api/v1/projects/${project.projectId}/events`;
    const latencies: number[] = [];
    let next = 0;
    let failures = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      while (next < total) {
        const seq = next++;
        const at = performance.now();
        const response = await project.api.post(path, {
          endpoint_id: endpoint.uid,
          event_type: 'bench.event',
          data: { seq, payload: 'x'.repeat(700) },
        });
        latencies.push(performance.now() - at);
        if (response.status !== 201) failures += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    const seconds = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const at = (p: number): number =>
      Math.round(latencies[Math.floor((p / 100) * (latencies.length - 1))] ?? 0);
    process.stdout.write(
      `${JSON.stringify({ events: total, concurrency, rejected: failures, ingest_per_second: Math.round(total / seconds), latency_ms: { p50: at(50), p99: at(99) } }, null, 2)}\n`,
    );
  } finally {
    await stopAll(stack);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
