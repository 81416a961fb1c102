// The event log's list queries (the SQL the repositories run) are index-backed: with a selective
// filter, neither events nor event_deliveries is read with a sequential scan. A fresh database per
// file, 20,000 events with their deliveries, plus another project's rows around them.
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { newId } from '@flotilla/contracts';
import {
  deliveryPageQuery,
  deliveryStatusTotalsQuery,
  eventPageQuery,
  idFloor,
  keysetPlan,
  MigrationRunner,
  type DeliveryFilters,
  type EventFilters,
  type LogCursor,
} from '@flotilla/db';
import { createDatabase, dropDatabase } from '../infra/postgres';
import { seedEventLog, seqScannedTables, type EventLogSeed } from './event-log-seed';

jest.setTimeout(60_000);

const databaseName = `flotilla_e2e_${randomBytes(4).toString('hex')}`;
let client: Client;
let seed: EventLogSeed;

async function project(name: string): Promise<string> {
  const id = newId();
  await client.query(`INSERT INTO projects (id, name, config) VALUES ($1, $2, '{}'::jsonb)`, [
    id,
    name,
  ]);
  return id;
}

beforeAll(async () => {
  const url = await createDatabase(databaseName);
  await new MigrationRunner(url).migrate();
  client = new Client({ connectionString: url });
  await client.connect();
  await seedEventLog(client, { projectId: await project('other'), events: 5000 });
  seed = await seedEventLog(client, { projectId: await project('main'), events: 20_000 });
});

afterAll(async () => {
  await client.end();
  await dropDatabase(databaseName);
});

const firstPage: LogCursor = { perPage: 20, direction: 'next' };
const day = (offsetDays: number): Date =>
  new Date(seed.to.getTime() - offsetDays * 24 * 3600 * 1000);

describe('event list', () => {
  const cases: [string, () => EventFilters][] = [
    ['event type', () => ({ eventType: 'rare.event' })],
    ['endpoint', () => ({ endpointIds: [seed.endpointIds[3]!] })],
    ['two endpoints', () => ({ endpointIds: [seed.endpointIds[3]!, seed.endpointIds[4]!] })],
    ['source', () => ({ sourceId: seed.sourceIds[1] })],
    ['idempotency key', () => ({ idempotencyKey: `key-${seed.tag}-300` })],
    ['broker message id', () => ({ brokerMessageId: `msg-${seed.tag}-500` })],
    ['date range', () => ({ startDate: day(12), endDate: day(11) })],
    ['type and date range', () => ({ eventType: 'type.3', startDate: day(12), endDate: day(11) })],
  ];
  it.each(cases)('by %s reads through indexes', async (_name, filters) => {
    expect(
      await seqScannedTables(
        client,
        eventPageQuery(seed.projectId, filters(), keysetPlan(firstPage)),
      ),
    ).toEqual([]);
  });

  it('pages deep through a cursor with an index', async () => {
    const cursor = idFloor(day(20));
    const plan = keysetPlan({ ...firstPage, cursor });
    expect(
      await seqScannedTables(client, eventPageQuery(seed.projectId, { eventType: 'type.1' }, plan)),
    ).toEqual([]);
    expect(
      await seqScannedTables(
        client,
        eventPageQuery(seed.projectId, {}, keysetPlan({ ...firstPage, cursor, direction: 'prev' })),
      ),
    ).toEqual([]);
  });
});

describe('delivery list', () => {
  const cases: [string, () => DeliveryFilters][] = [
    ['status', () => ({ statuses: ['Discarded'] })],
    ['endpoint', () => ({ endpointIds: [seed.endpointIds[5]!] })],
    ['subscription', () => ({ subscriptionId: seed.subscriptionIds[5] })],
    ['event type', () => ({ eventType: 'rare.event' })],
    ['idempotency key', () => ({ idempotencyKey: `key-${seed.tag}-300` })],
    ['broker message id', () => ({ brokerMessageId: `msg-${seed.tag}-500` })],
    ['date range', () => ({ startDate: day(12), endDate: day(11) })],
    [
      'status and endpoint',
      () => ({ statuses: ['Failure', 'Retry'], endpointIds: [seed.endpointIds[2]!] }),
    ],
  ];
  it.each(cases)('by %s reads through indexes', async (_name, filters) => {
    expect(
      await seqScannedTables(
        client,
        deliveryPageQuery(seed.projectId, filters(), keysetPlan(firstPage)),
      ),
    ).toEqual([]);
  });

  it('by event id reads through indexes', async () => {
    const { rows } = await client.query<{ id: string }>(
      'SELECT id FROM events WHERE project_id = $1 LIMIT 1',
      [seed.projectId],
    );
    const filters: DeliveryFilters = { eventId: rows[0]!.id };
    expect(
      await seqScannedTables(
        client,
        deliveryPageQuery(seed.projectId, filters, keysetPlan(firstPage)),
      ),
    ).toEqual([]);
  });

  it('counts statuses of one endpoint through an index', async () => {
    const query = deliveryStatusTotalsQuery(seed.projectId, {
      endpointIds: [seed.endpointIds[5]!],
    });
    expect(await seqScannedTables(client, query)).toEqual([]);
  });
});

describe('what the queries select', () => {
  interface Row {
    id: string;
    eventType: string;
    rawData?: string;
    status?: string;
    endpointId: string;
  }
  const rows = async (query: { text: string; values: unknown[] }): Promise<Row[]> =>
    (await client.query<Row>(query.text, query.values)).rows;

  it('finds one event by its broker message id and by its idempotency key, and its delivery by either', async () => {
    const byMessage = await rows(
      eventPageQuery(
        seed.projectId,
        { brokerMessageId: `msg-${seed.tag}-500` },
        keysetPlan(firstPage),
      ),
    );
    expect(byMessage.map((row) => JSON.parse(row.rawData!) as { seq: number })).toMatchObject([
      { seq: 500 },
    ]);
    const byKey = await rows(
      eventPageQuery(
        seed.projectId,
        { idempotencyKey: `key-${seed.tag}-300` },
        keysetPlan(firstPage),
      ),
    );
    expect(byKey.map((row) => JSON.parse(row.rawData!) as { seq: number })).toMatchObject([
      { seq: 300 },
    ]);
    const delivery = await rows(
      deliveryPageQuery(
        seed.projectId,
        { idempotencyKey: `key-${seed.tag}-300` },
        keysetPlan(firstPage),
      ),
    );
    expect(delivery).toHaveLength(1);
  });

  it('combines filters and pages newest first, one row more than asked', async () => {
    const page = await rows(
      deliveryPageQuery(
        seed.projectId,
        { statuses: ['Failure'], eventType: 'type.4', endpointIds: seed.endpointIds },
        keysetPlan(firstPage),
      ),
    );
    expect(page).toHaveLength(21);
    expect(page.every((row) => row.status === 'Failure' && row.eventType === 'type.4')).toBe(true);
    expect(page.map((row) => row.id)).toEqual(
      page
        .map((row) => row.id)
        .sort()
        .reverse(),
    );
  });

  it('keeps to the date range (by the ids’ time)', async () => {
    const startDate = day(12);
    const endDate = day(11);
    const all = await rows(
      eventPageQuery(
        seed.projectId,
        { startDate, endDate },
        keysetPlan({ ...firstPage, perPage: 5000 }),
      ),
    );
    // 20,000 events over 30 days: about 667 a day.
    expect(all.length).toBeGreaterThan(600);
    expect(all.length).toBeLessThan(740);
    expect(
      all.every(
        (row) => row.id >= idFloor(startDate) && row.id <= idFloor(new Date(endDate.getTime() + 1)),
      ),
    ).toBe(true);
  });

  it('counts statuses in the seeded shares', async () => {
    const totals = await client.query<{ status: string; count: number }>(
      deliveryStatusTotalsQuery(seed.projectId, {}).text,
      [seed.projectId],
    );
    expect(Object.fromEntries(totals.rows.map((row) => [row.status, row.count]))).toEqual({
      Success: 16_000,
      Failure: 2000,
      Retry: 1000,
      Scheduled: 800,
      Discarded: 200,
    });
  });
});
