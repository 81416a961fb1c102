/**
 * Retention while ingest runs: does deleting a large expired backlog slow HTTP ingest?
 *
 *   node tools/bench/run.mjs retention-under-load [--rate 1000] [--seconds 20] [--expired 200000]
 *                                                 [--duty 25]
 *
 * One project, one endpoint on a loopback receiver, `--expired` old events (each with a delivery
 * and an attempt) seeded over the last 20 days. Events are POSTed at a fixed arrival rate (open
 * model, latency from each request's scheduled time to its 201) in three phases of `--seconds`:
 *   A  retention not due (the default 720h keeps every seeded event);
 *   B  right after the project's retention is set to 1h: the scheduler deletes the backlog;
 *   C  after the backlog is gone.
 * A and C are the baselines in the same run. Also printed: rows deleted during B, when the backlog
 * was gone, and the ledger (every event accepted was delivered).
 */
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { Pool } from 'undici';
import {
  createEndpoint,
  createProject,
  eventually,
  seedEventLog,
  startTestStack,
  stopAll,
  WebhookReceiver,
} from '@flotilla/testing';
import { BENCH_ENV } from './support/bench-env';
import { percentile, runOpenModel, type OpenModelResult } from './support/open-model';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
    expired: { type: 'string', default: '200000' },
    /** RETENTION_DUTY_PERCENT: the share of time the scheduler may spend deleting. */
    duty: { type: 'string', default: '25' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const expired = Number(values.expired);

interface Counts {
  events: number;
  deliveries: number;
  attempts: number;
}

async function main(): Promise<void> {
  const stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler'], {
    ...BENCH_ENV,
    // A pass a second, so phase B starts deleting at once.
    RETENTION_INTERVAL_MS: '1000',
    RETENTION_DUTY_PERCENT: values.duty,
  });
  const receiver = await WebhookReceiver.start();
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  const pool = new Pool(stack.service('ingest-api').url, { connections: 128 });
  try {
    const project = await createProject(stack.admin, 'retention');
    const endpoint = await createEndpoint(project, { name: 'receiver', url: receiver.url });
    process.stdout.write(`seeding ${String(expired)} old events with deliveries and attempts...\n`);
    // The seed's own project holds the backlog (its endpoints point nowhere); same database.
    const seed = await seedEventLog(db, {
      projectId: project.projectId,
      events: expired,
      days: 20,
    });
    await db.query(
      `INSERT INTO delivery_attempts (id, project_id, delivery_id, endpoint_id, url, request_headers, response_status, latency_ms, created_at)
       SELECT d.id, d.project_id, d.id, d.endpoint_id, 'http://127.0.0.1:9/seed', '{}'::jsonb, 200, 12, d.created_at
       FROM event_deliveries d WHERE d.project_id = $1::uuid`,
      [project.projectId],
    );
    await db.query('ANALYZE');
    const oldCounts = async (): Promise<Counts> => {
      const cutoff = new Date(Date.now() - 3_600_000);
      const { rows } = await db.query<{ events: string; deliveries: string; attempts: string }>(
        `SELECT
           (SELECT count(*) FROM events WHERE project_id = $1::uuid AND created_at < $2) AS events,
           (SELECT count(*) FROM event_deliveries WHERE project_id = $1::uuid AND created_at < $2) AS deliveries,
           (SELECT count(*) FROM delivery_attempts WHERE project_id = $1::uuid AND created_at < $2) AS attempts`,
        [project.projectId, cutoff],
      );
      const row = rows[0]!;
      return {
        events: Number(row.events),
        deliveries: Number(row.deliveries),
        attempts: Number(row.attempts),
      };
    };
    const before = await oldCounts();
    process.stdout.write(`seeded (from ${seed.from.toISOString()}): ${JSON.stringify(before)}\n`);

    let sequence = 0;
    const body = (n: number): string =>
      JSON.stringify({
        endpoint_id: endpoint.uid,
        event_type: 'bench.retention',
        data: { n, payload: 'x'.repeat(700) },
      });
    const send = async (): Promise<number> => {
      const response = await pool.request({
        method: 'POST',
        path: `/api/v1/projects/${project.projectId}/events`,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${project.apiKey}` },
        body: body(sequence++),
      });
      await response.body.dump();
      return response.statusCode;
    };
    const phase = (): Promise<OpenModelResult> => runOpenModel({ rate, seconds, send });

    // Warm-up: connections, caches and JIT, not measured (its events count in the ledger).
    const warmUp = await runOpenModel({ rate, seconds: 5, send });
    const a = await phase();

    const retentionSetAt = Date.now();
    await project.api.expect(202, 'PUT', `/api/v1/projects/${project.projectId}`, {
      config: { retention_policy: { policy: '1h' } },
    });
    const b = await phase();
    const afterB = await oldCounts();
    const gone = await eventually(
      async () => {
        const counts = await oldCounts();
        if (counts.events + counts.deliveries + counts.attempts > 0) throw new Error('not yet');
        return Date.now();
      },
      300_000,
      250,
    );
    const c = await phase();

    const accepted = [warmUp, a, b, c].reduce((sum, run) => sum + (run.statuses.get(201) ?? 0), 0);
    // Waits for the receiver to have them all (or two minutes); whatever is missing is printed.
    await eventually(async () => {
      if (receiver.requests.length < accepted) throw new Error('not yet');
      return Promise.resolve();
    }, 120_000).catch(() => undefined);
    const delivered = new Set(
      receiver.requests.map((request) => (JSON.parse(request.body) as { n?: number }).n),
    ).size;

    const row = (name: string, run: OpenModelResult): string =>
      `| ${name} | ${run.achievedRate.toFixed(0)} | ${String(run.statuses.get(201) ?? 0)} | ${String(
        run.scheduled - (run.statuses.get(201) ?? 0),
      )} | ${percentile(run.latenciesMs, 50).toFixed(1)} | ${percentile(run.latenciesMs, 90).toFixed(1)} | ${percentile(
        run.latenciesMs,
        99,
      ).toFixed(1)} | ${(run.latenciesMs.at(-1) ?? Number.NaN).toFixed(1)} |`;
    process.stdout.write(
      [
        '',
        `retention under load: ${String(rate)} events/s offered for ${String(seconds)} s per phase, ${String(expired)} expired events seeded, RETENTION_DUTY_PERCENT ${values.duty}`,
        '',
        '| phase | achieved/s | 201 | other | p50 ms | p90 ms | p99 ms | max ms |',
        '|---|---|---|---|---|---|---|---|',
        row('A: retention not due', a),
        row('B: deleting the backlog', b),
        row('C: backlog gone', c),
        '',
        `expired rows before B: ${JSON.stringify(before)}; still there after B: ${JSON.stringify(afterB)}`,
        `backlog gone ${((gone - retentionSetAt) / 1000).toFixed(1)} s after the retention was set (B lasted ${String(seconds)} s)`,
        `ledger: accepted ${String(accepted)}, delivered ${String(delivered)}, lost ${String(accepted - delivered)}`,
        '',
      ].join('\n'),
    );
  } finally {
    await pool.close();
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
