/**
 * CPU cost per event: CPU time each service (and the Kafka mock) spends idle and per event
 * delivered, read from /proc/<pid>/stat (utime + stime), plus Postgres writes per event. Unlike
 * throughput, these figures hold on a busy shared machine: they count what each process did, not
 * how long it waited for a core.
 *
 *   node tools/bench/run.mjs cpu-cost [--idle 20] [--events 10000] [--rate 500] [--endpoints 1]
 *                                     [--fetch-max-wait 20]
 *
 * Runs all five services with their default settings (the scheduler's interval included), measures
 * `--idle` seconds with nothing to do, then sends `--events` events at a fixed arrival rate of
 * `--rate` a second (open model) to `--endpoints` endpoints behind one receiver on loopback, waits
 * until every one was delivered, and prints CPU ms per event of each process and the rows written.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import {
  createEndpoint,
  createProject,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type ServiceName,
} from '@flotilla/testing';
import { BENCH_ENV } from './support/bench-env';

const { values } = parseArgs({
  options: {
    idle: { type: 'string', default: '20' },
    events: { type: 'string', default: '10000' },
    rate: { type: 'string', default: '500' },
    endpoints: { type: 'string', default: '1' },
    // The dispatcher's KAFKA_FETCH_MAX_WAIT_MS; the test stack's 20 suits the mock broker.
    'fetch-max-wait': { type: 'string', default: '20' },
  },
});
const idleSeconds = Number(values.idle);
const total = Number(values.events);
const rate = Number(values.rate);
const endpointCount = Number(values.endpoints);

const SERVICES: ServiceName[] = [
  'ingest-api',
  'dispatcher',
  'scheduler',
  'pubsub-ingester',
  'sqs-ingester',
];
const TICKS_PER_SECOND = 100; // USER_HZ on Linux
/** An idle backend reports its table counters to pg_stat within 10 s (PostgreSQL 15+). */
const STATS_FLUSH_MS = 11_000;

/** CPU time of a process so far, in ms (user + system). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1];
  return Math.round(Number(kb ?? 0) / 1024);
}

type Sample = Map<string, number>;

function sample(pids: Map<string, number>): Sample {
  return new Map([...pids].map(([name, pid]) => [name, cpuMs(pid)]));
}

function delta(before: Sample, after: Sample): Map<string, number> {
  return new Map([...after].map(([name, ms]) => [name, ms - (before.get(name) ?? 0)]));
}

interface TableWrites {
  inserted: number;
  updated: number;
}

/** Rows inserted and updated per table, and commits, of the stack's database so far. */
async function writes(
  db: Client,
): Promise<{ tables: Map<string, TableWrites>; commits: number; walBytes: bigint }> {
  // pg_stat counters are sent by backends at transaction end and read from a snapshot; clear it.
  await db.query('SELECT pg_stat_clear_snapshot()');
  const tables = await db.query<{ relname: string; ins: string; upd: string }>(
    `SELECT relname, n_tup_ins::text AS ins, n_tup_upd::text AS upd FROM pg_stat_user_tables`,
  );
  const commits = await db.query<{ n: string }>(
    `SELECT xact_commit::text AS n FROM pg_stat_database WHERE datname = current_database()`,
  );
  // Cluster-wide: other databases' writes count too, so it is an upper bound on a shared server.
  const wal = await db.query<{ lsn: string }>(
    `SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn`,
  );
  return {
    walBytes: BigInt(wal.rows[0]?.lsn.split('.')[0] ?? '0'),
    tables: new Map(
      tables.rows.map((row) => [
        row.relname,
        { inserted: Number(row.ins), updated: Number(row.upd) },
      ]),
    ),
    commits: Number(commits.rows[0]?.n ?? 0),
  };
}

async function main(): Promise<void> {
  const stack = await startTestStack(SERVICES, {
    ...BENCH_ENV,
    // The test stack polls every 100 ms; measure what an install runs with.
    SCHEDULER_INTERVAL_MS: '250',
    // e.g. '--cpu-prof --cpu-prof-dir=DIR' to profile every service through the run.
    FLOTILLA_NODE_ARGS: process.env['FLOTILLA_NODE_ARGS'] ?? '',
    KAFKA_FETCH_MAX_WAIT_MS: values['fetch-max-wait'],
  });
  const receiver = await WebhookReceiver.start();
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const pids = new Map<string, number>();
    for (const name of SERVICES) pids.set(name, stack.service(name).pid ?? 0);
    pids.set('kafka-mock', stack.kafka.pid);

    await sleep(5000); // start-up work settles
    const idleStart = sample(pids);
    const idleStarted = performance.now();
    await sleep(idleSeconds * 1000);
    const idleCpu = delta(idleStart, sample(pids));
    const idleWall = performance.now() - idleStarted;

    const project = await createProject(stack.admin, 'cpu-cost');
    const endpoints = await Promise.all(
      Array.from({ length: endpointCount }, (_, index) =>
        createEndpoint(project, { name: `cpu-${index}`, url: receiver.url }),
      ),
    );
    const path = `/api/v1/projects/${project.projectId}/events`;
    const payload = 'x'.repeat(700); // ~1 KB bodies
    // One event delivered first so that caches and connections are warm before measuring.
    await project.api.post(path, {
      endpoint_id: endpoints[0]!.uid,
      event_type: 'cpu.event',
      data: { seq: -1, payload },
    });
    while (receiver.requests.length < 1) await sleep(50);
    await sleep(STATS_FLUSH_MS);

    const writesBefore = await writes(db);
    const loadStart = sample(pids);
    const started = performance.now();
    let failures = 0;
    const sends: Promise<void>[] = [];
    for (let seq = 0; seq < total; seq += 1) {
      const due = started + (seq * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      sends.push(
        project.api
          .post(path, {
            endpoint_id: endpoints[seq % endpointCount]!.uid,
            event_type: 'cpu.event',
            data: { seq, payload },
          })
          .then(
            (response) => {
              if (response.status !== 201) failures += 1;
            },
            () => {
              failures += 1;
            },
          ),
      );
    }
    await Promise.all(sends);
    const deadline = Date.now() + 5 * 60_000;
    while (receiver.requests.length < total + 1 - failures && Date.now() < deadline) {
      await sleep(50);
    }
    const loadWall = performance.now() - started;
    const loadCpu = delta(loadStart, sample(pids));
    // The last status writes land just after the receiver answered, and their counters later.
    await sleep(STATS_FLUSH_MS);
    const writesAfter = await writes(db);
    const delivered = receiver.requests.length - 1;

    const perService: Record<string, unknown> = {};
    let idleTotal = 0;
    let perEventTotal = 0;
    for (const [name, pid] of pids) {
      const idleShare = (idleCpu.get(name) ?? 0) / idleWall;
      // The idle burn is subtracted: per-event cost is what the events added.
      const busyMs = (loadCpu.get(name) ?? 0) - idleShare * loadWall;
      const perEvent = busyMs / Math.max(1, delivered);
      if (name !== 'kafka-mock') {
        idleTotal += idleShare;
        perEventTotal += perEvent;
      }
      perService[name] = {
        idle_core_percent: Number((idleShare * 100).toFixed(2)),
        cpu_ms_per_event: Number(perEvent.toFixed(3)),
        rss_mb: rssMb(pid),
      };
    }
    const tableWrites: Record<string, { inserted: number; updated: number }> = {};
    for (const [table, after] of writesAfter.tables) {
      const before = writesBefore.tables.get(table) ?? { inserted: 0, updated: 0 };
      const inserted = after.inserted - before.inserted;
      const updated = after.updated - before.updated;
      if (inserted > 0 || updated > 0) tableWrites[table] = { inserted, updated };
    }
    const result = {
      idle_seconds: idleSeconds,
      events: total,
      offered_per_second: rate,
      endpoints: endpointCount,
      rejected: failures,
      delivered,
      load_seconds: Number((loadWall / 1000).toFixed(1)),
      services: perService,
      five_services: {
        idle_core_percent: Number((idleTotal * 100).toFixed(2)),
        cpu_ms_per_event: Number(perEventTotal.toFixed(3)),
      },
      postgres: {
        wal_bytes_per_event_upper_bound: Number(
          (writesAfter.walBytes - writesBefore.walBytes) / BigInt(Math.max(1, delivered)),
        ),
        commits_per_event: Number(
          ((writesAfter.commits - writesBefore.commits) / Math.max(1, delivered)).toFixed(3),
        ),
        rows_written: tableWrites,
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await db.end();
    await stopAll(receiver, stack);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
