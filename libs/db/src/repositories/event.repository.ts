import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';
import type { Event, LoggedEvent, PageResult } from '../records';
import {
  eventByIdQuery,
  eventPageQuery,
  keysetPlan,
  toPage,
  type EventFilters,
  type LogCursor,
} from './event-log-query';

export interface NewEvent {
  id: string;
  projectId: string;
  eventType: string;
  rawData: string;
  headers: Record<string, string>;
  targetKind: 'single' | 'fanout' | 'broadcast' | 'dynamic';
  endpointId: string | null;
  ownerId: string | null;
  idempotencyKey: string | null;
  sourceId: string | null;
  brokerMessageId: string | null;
  acceptedAt: Date;
}

type RawExecutor = Pick<PrismaService, '$executeRawUnsafe'>;

const INSERT_EVENTS_SQL = `
    INSERT INTO events (id, project_id, event_type, raw_data, headers, target_kind, endpoint_id,
                        owner_id, idempotency_key, is_duplicate, source_id, broker_message_id, accepted_at)
    SELECT e.id, e.project_id, e.event_type, e.raw_data, e.headers::jsonb,
           e.target_kind::"EventTargetKind", e.endpoint_id, e.owner_id, e.idempotency_key, e.is_duplicate,
           e.source_id, e.broker_message_id, e.accepted_at
    FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::uuid[],
                $8::text[], $9::text[], $10::boolean[], $11::uuid[], $12::text[], $13::timestamptz[])
      AS e(id, project_id, event_type, raw_data, headers, target_kind, endpoint_id, owner_id,
           idempotency_key, is_duplicate, source_id, broker_message_id, accepted_at)
    ON CONFLICT (id) DO NOTHING`;

function insertEventsValues(
  events: readonly NewEvent[],
  duplicateIds: ReadonlySet<string>,
): unknown[] {
  return [
    events.map((e) => e.id),
    events.map((e) => e.projectId),
    events.map((e) => e.eventType),
    events.map((e) => e.rawData),
    events.map((e) => JSON.stringify(e.headers)),
    events.map((e) => e.targetKind),
    events.map((e) => e.endpointId),
    events.map((e) => e.ownerId),
    events.map((e) => e.idempotencyKey),
    events.map((e) => duplicateIds.has(e.id)),
    events.map((e) => e.sourceId),
    events.map((e) => e.brokerMessageId),
    events.map((e) => e.acceptedAt.toISOString()),
  ];
}

/** Inside Prisma's transaction (keyed events): the same statement through its query layer. */
async function insertEvents(
  db: RawExecutor,
  events: readonly NewEvent[],
  duplicateIds: ReadonlySet<string>,
): Promise<number> {
  return db.$executeRawUnsafe(INSERT_EVENTS_SQL, ...insertEventsValues(events, duplicateIds));
}

@Injectable()
export class EventRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Persists a batch of events in one statement (set-based, ~5x faster than createMany). Ids are
   * assigned at ingestion, so a replayed batch inserts nothing twice. An event whose idempotency key
   * was already taken in its project (by another event id) is stored as a duplicate; the caller
   * creates no deliveries for it. Keyed events take transaction-scoped advisory locks on their keys,
   * so concurrent batches agree on which event came first.
   */
  async insertMany(events: readonly NewEvent[]): Promise<{ duplicateIds: Set<string> }> {
    if (events.length === 0) return { duplicateIds: new Set() };
    const keyed = events.filter((event) => event.idempotencyKey !== null);
    if (keyed.length === 0) {
      // The common case: straight to the pool, without Prisma's query layer.
      await this.prisma.pool.query({
        name: 'events-insert',
        text: INSERT_EVENTS_SQL,
        values: insertEventsValues(events, new Set()),
      });
      return { duplicateIds: new Set() };
    }
    return this.prisma.$transaction(async (tx) => {
      const lockKeys = [
        ...new Set(keyed.map((event) => `${event.projectId}/${event.idempotencyKey ?? ''}`)),
      ].sort();
      // Sorted, so two batches never wait on each other in opposite orders.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(k, 7)) FROM unnest(${lockKeys}::text[]) AS k`;
      const taken = await tx.$queryRaw<
        { id: string; project_id: string; idempotency_key: string }[]
      >`
        SELECT e.id, e.project_id, e.idempotency_key FROM events e
        JOIN unnest(${keyed.map((event) => event.projectId)}::uuid[], ${keyed.map((event) => event.idempotencyKey)}::text[])
          AS k(project_id, idempotency_key)
          ON e.project_id = k.project_id AND e.idempotency_key = k.idempotency_key
        WHERE NOT e.is_duplicate`;
      const owner = new Map(
        taken.map((row) => [`${row.project_id}/${row.idempotency_key}`, row.id]),
      );
      const duplicateIds = new Set<string>();
      for (const event of keyed) {
        const key = `${event.projectId}/${event.idempotencyKey ?? ''}`;
        const first = owner.get(key);
        if (first === undefined) owner.set(key, event.id);
        else if (first !== event.id) duplicateIds.add(event.id);
      }
      await insertEvents(tx, events, duplicateIds);
      return { duplicateIds };
    });
  }

  /** The events among `ids`, in one query (for the deliveries a list page shows). */
  findManyByIds(projectId: string, ids: readonly string[]): Promise<Event[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.prisma.event.findMany({ where: { id: { in: [...new Set(ids)] }, projectId } });
  }

  async findById(projectId: string, id: string): Promise<LoggedEvent | null> {
    const rows = await this.prisma.$queryRaw<LoggedEvent[]>(eventByIdQuery(projectId, id));
    return rows[0] ?? null;
  }

  /** One page of the event list, newest first unless `cursor.sort` is `asc` (see event-log-query). */
  async page(
    projectId: string,
    filters: EventFilters,
    cursor: LogCursor,
  ): Promise<PageResult<LoggedEvent>> {
    const plan = keysetPlan(cursor);
    return toPage(
      await this.prisma.$queryRaw<LoggedEvent[]>(eventPageQuery(projectId, filters, plan)),
      plan,
    );
  }
}
