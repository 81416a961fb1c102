// Retention against real PostgreSQL (a fresh database, dropped afterwards): events older than their
// project's retention period go with their deliveries and attempts; newer ones stay.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { newId } from '@flotilla/contracts';
import { MigrationRunner, PrismaService, RetentionRepository } from '@flotilla/db';
import { createLogger, MetricsRegistry } from '@flotilla/observability';
import { RetentionService } from '@flotilla/delivery';
import { createDatabase, dropDatabase } from '../infra/postgres';

jest.setTimeout(120_000);

const databaseName = `flotilla_ret_${randomBytes(6).toString('hex')}`;
const DAY = 86_400_000;
let client: Client;
let prisma: PrismaService;
let service: RetentionService;

beforeAll(async () => {
  const url = await createDatabase(databaseName);
  await new MigrationRunner(url).migrate();
  client = new Client({ connectionString: url });
  await client.connect();
  prisma = new PrismaService({ url, poolSize: 2 });
  service = new RetentionService(
    new RetentionRepository(prisma),
    createLogger('test', 'silent'),
    new MetricsRegistry(),
  );
});

afterAll(async () => {
  await prisma.$disconnect();
  await client.end();
  await dropDatabase(databaseName);
});

async function project(config: Record<string, unknown>): Promise<{ id: string; endpoint: string }> {
  const id = newId();
  const endpoint = newId();
  await client.query(`INSERT INTO projects (id, name, config) VALUES ($1, 'p', $2::jsonb)`, [
    id,
    JSON.stringify(config),
  ]);
  await client.query(
    `INSERT INTO endpoints (id, project_id, name, url, secrets) VALUES ($1, $2, 'e', 'http://127.0.0.1:9/', '[]'::jsonb)`,
    [endpoint, id],
  );
  return { id, endpoint };
}

/** A UUIDv7 of the given millisecond (newId never goes back in time within a process). */
function idAt(ms: number): string {
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8)}${newId().slice(13)}`;
}

/** `count` events accepted `ageMs` ago, each with two deliveries of one attempt each. */
async function seed(
  owner: { id: string; endpoint: string },
  ageMs: number,
  count = 1,
): Promise<string[]> {
  const at = Date.now() - ageMs;
  const events = Array.from({ length: count }, () => idAt(at));
  const deliveries = events.flatMap(() => [idAt(at), idAt(at)]);
  await client.query(
    `INSERT INTO events (id, project_id, event_type, raw_data, target_kind, accepted_at, created_at)
     SELECT id, $1::uuid, 't', '{}', 'single', to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0)
     FROM unnest($2::uuid[]) AS id`,
    [owner.id, events, at],
  );
  await client.query(
    `INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, event_type, status, next_attempt_at, created_at)
     SELECT d, $1::uuid, e, $2::uuid, 't', 'Success', now(), to_timestamp($5 / 1000.0)
     FROM unnest($3::uuid[], $4::uuid[]) AS x(d, e)`,
    [owner.id, owner.endpoint, deliveries, events.flatMap((e) => [e, e]), at],
  );
  await client.query(
    `INSERT INTO delivery_attempts (id, project_id, delivery_id, endpoint_id, url, request_headers, latency_ms, created_at)
     SELECT gen_random_uuid(), $1::uuid, d, $2::uuid, 'http://127.0.0.1:9/', '{}'::jsonb, 1, to_timestamp($4 / 1000.0)
     FROM unnest($3::uuid[]) AS d`,
    [owner.id, owner.endpoint, deliveries, at],
  );
  return events;
}

async function remaining(
  events: string[],
): Promise<{ events: number; deliveries: number; attempts: number }> {
  const { rows } = await client.query<{ events: number; deliveries: number; attempts: number }>(
    `SELECT (SELECT count(*)::int FROM events WHERE id = ANY($1::uuid[])) AS events,
            (SELECT count(*)::int FROM event_deliveries WHERE event_id = ANY($1::uuid[])) AS deliveries,
            (SELECT count(*)::int FROM delivery_attempts a JOIN event_deliveries d ON d.id = a.delivery_id
              WHERE d.event_id = ANY($1::uuid[])) AS attempts`,
    [events],
  );
  return rows[0]!;
}

describe('retention', () => {
  it('deletes events older than the project period with their deliveries and attempts, keeps newer ones', async () => {
    const byDefault = await project({});
    const short = await project({ retention_policy: { policy: '48h' } });
    const old = [
      ...(await seed(byDefault, 40 * DAY, 3)),
      ...(await seed(byDefault, 31 * DAY, 2)),
      ...(await seed(short, 3 * DAY, 2)),
    ];
    const kept = [
      ...(await seed(byDefault, 29 * DAY, 2)),
      ...(await seed(byDefault, 60_000, 2)),
      ...(await seed(short, 1 * DAY, 2)),
    ];
    // Batches of 2: several statements per project.
    const deleted = await service.runOnce({ batchSize: 2 });
    expect(deleted).toBe(old.length);
    expect(await remaining(old)).toEqual({ events: 0, deliveries: 0, attempts: 0 });
    expect(await remaining(kept)).toEqual({
      events: kept.length,
      deliveries: kept.length * 2,
      attempts: kept.length * 2,
    });
    expect(await service.runOnce({ batchSize: 2 })).toBe(0);
  });

  it('deletes a large backlog in short statements while new events keep being inserted', async () => {
    const owner = await project({ retention_policy: { policy: '24h' } });
    const OLD = 20_000;
    for (let done = 0; done < OLD; done += 5000) await seed(owner, 2 * DAY, 5000);
    await client.query('ANALYZE');

    // A writer inserting fresh events, one statement at a time, timed, meanwhile.
    const insertMs: number[] = [];
    const measure = async (until: () => boolean): Promise<void> => {
      while (!until()) {
        const started = performance.now();
        await seed(owner, 0, 10);
        insertMs.push(performance.now() - started);
      }
    };
    let baselineDone = false;
    setTimeout(() => (baselineDone = true), 2000);
    await measure(() => baselineDone);
    const baseline = [...insertMs].sort((a, b) => a - b);
    insertMs.length = 0;

    let finished = false;
    const started = performance.now();
    const [deleted] = await Promise.all([
      service.runOnce({ batchSize: 500 }).finally(() => (finished = true)),
      measure(() => finished),
    ]);
    const seconds = (performance.now() - started) / 1000;
    const during = [...insertMs].sort((a, b) => a - b);
    const p99 = (values: number[]) => values[Math.floor(values.length * 0.99)] ?? 0;
    console.log(
      `retention: ${deleted} events (+${deleted * 2} deliveries, +${deleted * 2} attempts) in ${seconds.toFixed(2)} s; ` +
        `insert of 10 events p50/p99 before ${baseline[Math.floor(baseline.length / 2)]?.toFixed(1)}/${p99(baseline).toFixed(1)} ms, ` +
        `during ${during[Math.floor(during.length / 2)]?.toFixed(1)}/${p99(during).toFixed(1)} ms (${during.length} inserts)`,
    );
    expect(deleted).toBe(OLD);
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM events WHERE project_id = $1`,
      [owner.id],
    );
    expect(rows[0]!.n).toBe(baseline.length * 10 + during.length * 10);
  });
});
