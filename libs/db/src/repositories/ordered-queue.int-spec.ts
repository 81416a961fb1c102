// Ordered endpoints' queue in Postgres (ADR 0010): insert order is the order key, the scheduler
// hands on only a queue's head and parks the rest, and a parked head is woken. A fresh database
// ($FLOTILLA_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { newId } from '@flotilla/contracts';
import { MigrationRunner } from '../migrations/migration-runner';
import { PrismaService } from '../prisma.service';
import { DeliveryRepository, ORDERED_WAITING_UNTIL } from './delivery.repository';

jest.setTimeout(60_000);

const ADMIN_URL =
  process.env['FLOTILLA_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const databaseName = `flotilla_mig_${randomBytes(6).toString('hex')}`;
let client: Client;
let prisma: PrismaService;
let deliveries: DeliveryRepository;
let projectId: string;

async function admin(sql: string): Promise<void> {
  const connection = new Client({ connectionString: ADMIN_URL });
  await connection.connect();
  try {
    await connection.query(sql);
  } finally {
    await connection.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE "${databaseName}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${databaseName}`;
  await new MigrationRunner(url.toString()).migrate();
  client = new Client({ connectionString: url.toString() });
  await client.connect();
  prisma = new PrismaService({ url: url.toString(), poolSize: 2 });
  deliveries = new DeliveryRepository(prisma);
  projectId = newId();
  await client.query(
    `INSERT INTO projects (id, name, config) VALUES ($1, 'ordered', '{}'::jsonb)`,
    [projectId],
  );
});

afterAll(async () => {
  await prisma.$disconnect();
  await client.end();
  await admin(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`);
});

async function endpoint(ordered: boolean): Promise<string> {
  const id = newId();
  await client.query(
    `INSERT INTO endpoints (id, project_id, name, url, secrets, ordered)
     VALUES ($1, $2, 'e', 'http://127.0.0.1:9/', '[]'::jsonb, $3)`,
    [id, projectId, ordered],
  );
  return id;
}

/** `count` deliveries to the endpoint, inserted as the route stage does; all already due. */
async function queue(endpointId: string, count: number): Promise<string[]> {
  const events = Array.from({ length: count }, () => newId());
  await client.query(
    `INSERT INTO events (id, project_id, event_type, raw_data, target_kind, accepted_at)
     SELECT id, $1::uuid, 't', '{}', 'single', now() FROM unnest($2::uuid[]) AS id`,
    [projectId, events],
  );
  // Ids that do not sort in insert order: the order key must not depend on them.
  const ids = events.map(() => newId()).reverse();
  await deliveries.insertMany(
    ids.map((id, n) => ({
      id,
      projectId,
      eventId: events[n]!,
      endpointId,
      subscriptionId: null,
      eventType: 't',
      nextAttemptAt: new Date(Date.now() - 1000),
    })),
  );
  return ids;
}

async function state(ids: string[]): Promise<{ status: string; parked: boolean }[]> {
  const { rows } = await client.query<{ id: string; status: string; next_attempt_at: Date }>(
    `SELECT id, status::text, next_attempt_at FROM event_deliveries WHERE id = ANY($1::uuid[])`,
    [ids],
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => ({
    status: byId.get(id)!.status,
    parked: byId.get(id)!.next_attempt_at.getTime() >= ORDERED_WAITING_UNTIL.getTime(),
  }));
}

async function finish(id: string): Promise<void> {
  await client.query(`UPDATE event_deliveries SET status = 'Success' WHERE id = $1`, [id]);
}

describe('ordered queue in Postgres', () => {
  it('reads an endpoint’s unfinished deliveries in insert order', async () => {
    const endpointId = await endpoint(true);
    const ids = await queue(endpointId, 5);
    await finish(ids[1]!);
    const head = await deliveries.loadOrderedQueue(endpointId, 3);
    expect(head.map((row) => row.id)).toEqual([ids[0], ids[2], ids[3]]);
    expect(head.every((row) => row.ordered)).toBe(true);
  });

  it('hands on only the head of an ordered queue, parks the rest, and wakes a parked head', async () => {
    const orderedId = await endpoint(true);
    const freeId = await endpoint(false);
    const fifo = await queue(orderedId, 3);
    const free = await queue(freeId, 3);
    const claimed = await deliveries.claimDue(1000, 60);
    const claimedIds = new Set(claimed.map((row) => row.id));
    expect(fifo.map((id) => claimedIds.has(id))).toEqual([true, false, false]);
    expect(free.every((id) => claimedIds.has(id))).toBe(true);
    expect(await state(fifo)).toEqual([
      { status: 'Scheduled', parked: false },
      { status: 'Scheduled', parked: true },
      { status: 'Scheduled', parked: true },
    ]);

    // The head finished without the queue being drained (e.g. a crash): the parked new head is woken.
    await finish(fifo[0]!);
    await deliveries.wakeWaitingHeads();
    expect((await state(fifo)).map((row) => row.parked)).toEqual([false, false, true]);
    const next = await deliveries.claimDue(1000, 60);
    expect(next.map((row) => row.id)).toContain(fifo[1]);
    expect(next.map((row) => row.id)).not.toContain(fifo[2]);
  });

  it('makes a head due on request', async () => {
    const endpointId = await endpoint(true);
    const [head] = await queue(endpointId, 1);
    await client.query(`UPDATE event_deliveries SET next_attempt_at = $2 WHERE id = $1`, [
      head,
      ORDERED_WAITING_UNTIL,
    ]);
    await deliveries.markDue(head!);
    expect((await state([head!]))[0]!.parked).toBe(false);
  });
});
