import { Prisma } from '../generated/prisma/client';
import type { Cursor, DeliveryStatus } from '../records';

/**
 * The event log's filters as SQL, one builder per table, shared by the lists, the status totals,
 * batch retry and batch replay, so they always select the same rows. Every condition is written to
 * be served by an index (`project_id` first, then the filtered column, then `id DESC`), and date
 * ranges become id ranges: ids are UUIDv7, so the time an event was accepted is the prefix of its id
 * and of its deliveries' ids (see `derivedId`). A list page is then one bounded index range scan.
 */

export interface EventFilters {
  eventType?: string | undefined;
  /**
   * Events sent to any of these endpoints: addressed to one of them, or fanned out or broadcast
   * to it (Convoy matches every endpoint an event was routed to).
   */
  endpointIds?: string[] | undefined;
  /** Fan-out events to this owner. */
  ownerId?: string | undefined;
  sourceId?: string | undefined;
  idempotencyKey?: string | undefined;
  brokerMessageId?: string | undefined;
  startDate?: Date | undefined;
  endDate?: Date | undefined;
  /**
   * Only events with a delivery to one of these endpoints (fan-out and broadcast included): a
   * portal's view. An empty list matches nothing.
   */
  deliveredTo?: string[] | undefined;
}

export interface DeliveryFilters {
  eventId?: string | undefined;
  endpointIds?: string[] | undefined;
  subscriptionId?: string | undefined;
  eventType?: string | undefined;
  /** Of the delivery's event. */
  idempotencyKey?: string | undefined;
  /** Of the delivery's event. */
  brokerMessageId?: string | undefined;
  statuses?: DeliveryStatus[] | undefined;
  startDate?: Date | undefined;
  endDate?: Date | undefined;
}

export type SortOrder = 'asc' | 'desc';

/** A page request of the event log: Convoy's cursor paging plus its `sort`. */
export interface LogCursor extends Cursor {
  sort?: SortOrder | undefined;
}

const MAX_UNIX_MS = 2 ** 48 - 1;

function timePrefix(date: Date): string {
  const ms = Math.min(Math.max(Math.floor(date.getTime()), 0), MAX_UNIX_MS);
  const hex = ms.toString(16).padStart(12, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}`;
}

/** The smallest UUIDv7 made at or after `date` (millisecond precision). */
export function idFloor(date: Date): string {
  return `${timePrefix(date)}-0000-0000-000000000000`;
}

/** The largest UUIDv7 made at or before `date`'s millisecond. */
export function idCeiling(date: Date): string {
  return `${timePrefix(date)}-ffff-ffff-ffffffffffff`;
}

function dateRange(
  column: Prisma.Sql,
  filters: { startDate?: Date | undefined; endDate?: Date | undefined },
): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (filters.startDate)
    conditions.push(Prisma.sql`${column} >= ${idFloor(filters.startDate)}::uuid`);
  if (filters.endDate)
    conditions.push(Prisma.sql`${column} <= ${idCeiling(filters.endDate)}::uuid`);
  return conditions;
}

/** Conditions on `events e`. */
export function eventConditions(projectId: string, filters: EventFilters): Prisma.Sql[] {
  const conditions = [Prisma.sql`e.project_id = ${projectId}::uuid`];
  if (filters.eventType) conditions.push(Prisma.sql`e.event_type = ${filters.eventType}`);
  if (filters.endpointIds?.length) {
    // A fan-out or broadcast event names no endpoint: its deliveries say where it went. One index
    // lookup per event the page scans; `OFFSET 0` keeps the planner from hashing every delivery
    // of the endpoints instead, which costs a scan of all of them to fill one page.
    conditions.push(
      Prisma.sql`(e.endpoint_id = ANY(${filters.endpointIds}::uuid[]) OR EXISTS (SELECT 1 FROM event_deliveries d WHERE d.project_id = e.project_id AND d.event_id = e.id AND d.endpoint_id = ANY(${filters.endpointIds}::uuid[]) OFFSET 0))`,
    );
  }
  if (filters.ownerId) conditions.push(Prisma.sql`e.owner_id = ${filters.ownerId}`);
  if (filters.sourceId) conditions.push(Prisma.sql`e.source_id = ${filters.sourceId}::uuid`);
  if (filters.idempotencyKey)
    conditions.push(Prisma.sql`e.idempotency_key = ${filters.idempotencyKey}`);
  if (filters.brokerMessageId)
    conditions.push(Prisma.sql`e.broker_message_id = ${filters.brokerMessageId}`);
  if (filters.deliveredTo) {
    conditions.push(
      Prisma.sql`EXISTS (SELECT 1 FROM event_deliveries d WHERE d.project_id = e.project_id AND d.event_id = e.id AND d.endpoint_id = ANY(${filters.deliveredTo}::uuid[]))`,
    );
  }
  conditions.push(...dateRange(Prisma.sql`e.id`, filters));
  return conditions;
}

/** Conditions on `event_deliveries d`. */
export function deliveryConditions(projectId: string, filters: DeliveryFilters): Prisma.Sql[] {
  const conditions = [Prisma.sql`d.project_id = ${projectId}::uuid`];
  if (filters.eventId) conditions.push(Prisma.sql`d.event_id = ${filters.eventId}::uuid`);
  if (filters.endpointIds?.length)
    conditions.push(Prisma.sql`d.endpoint_id = ANY(${filters.endpointIds}::uuid[])`);
  if (filters.subscriptionId)
    conditions.push(Prisma.sql`d.subscription_id = ${filters.subscriptionId}::uuid`);
  if (filters.eventType) conditions.push(Prisma.sql`d.event_type = ${filters.eventType}`);
  if (filters.statuses?.length) {
    conditions.push(Prisma.sql`d.status = ANY(${filters.statuses}::text[]::"DeliveryStatus"[])`);
  }
  if (filters.idempotencyKey || filters.brokerMessageId) {
    // Keys live on the event; few events carry one key, so this is an index lookup then a join.
    const eventFilters = eventConditions(projectId, {
      idempotencyKey: filters.idempotencyKey,
      brokerMessageId: filters.brokerMessageId,
    });
    conditions.push(
      Prisma.sql`d.event_id IN (SELECT e.id FROM events e WHERE ${Prisma.join(eventFilters, ' AND ')})`,
    );
  }
  conditions.push(...dateRange(Prisma.sql`d.id`, filters));
  return conditions;
}

const EVENT_COLUMNS = Prisma.raw(
  `e.id, e.project_id AS "projectId", e.event_type AS "eventType", e.raw_data AS "rawData", e.headers,
   e.target_kind::text AS "targetKind", e.endpoint_id AS "endpointId", e.owner_id AS "ownerId",
   e.idempotency_key AS "idempotencyKey", e.is_duplicate AS "isDuplicate", e.source_id AS "sourceId",
   e.broker_message_id AS "brokerMessageId", e.accepted_at AS "acceptedAt", e.created_at AS "createdAt",
   ARRAY(SELECT DISTINCT r.endpoint_id::text FROM event_deliveries r
         WHERE r.project_id = e.project_id AND r.event_id = e.id) AS "routedTo"`,
);

const DELIVERY_COLUMNS = Prisma.raw(
  `d.id, d.project_id AS "projectId", d.event_id AS "eventId", d.endpoint_id AS "endpointId",
   d.subscription_id AS "subscriptionId", d.event_type AS "eventType", d.status::text AS status,
   d.attempt_count AS "attemptCount", d.next_attempt_at AS "nextAttemptAt", d.latency_ms AS "latencyMs",
   d.last_error AS "lastError", d.delivered_at AS "deliveredAt", d.created_at AS "createdAt",
   d.updated_at AS "updatedAt"`,
);

/** How a keyset page reads: which way it walks the ids and whether the rows come back reversed. */
export interface KeysetPlan {
  /** Rows are fetched in this order; `reversed` pages are flipped back to the list's order. */
  fetchOrder: SortOrder;
  reversed: boolean;
  perPage: number;
  cursor: string | undefined;
}

export function keysetPlan(cursor: LogCursor): KeysetPlan {
  const sort = cursor.sort ?? 'desc';
  const reversed = cursor.direction === 'prev' && cursor.cursor !== undefined;
  const flip: SortOrder = sort === 'desc' ? 'asc' : 'desc';
  return {
    fetchOrder: reversed ? flip : sort,
    reversed,
    perPage: cursor.perPage,
    cursor: cursor.cursor,
  };
}

function keysetSql(
  column: Prisma.Sql,
  plan: KeysetPlan,
): { where: Prisma.Sql[]; tail: Prisma.Sql } {
  const where =
    plan.cursor === undefined
      ? []
      : [
          plan.fetchOrder === 'desc'
            ? Prisma.sql`${column} < ${plan.cursor}::uuid`
            : Prisma.sql`${column} > ${plan.cursor}::uuid`,
        ];
  // One row more than asked tells whether there is another page.
  const tail = Prisma.sql`ORDER BY ${column} ${Prisma.raw(plan.fetchOrder === 'desc' ? 'DESC' : 'ASC')} LIMIT ${plan.perPage + 1}::int`;
  return { where, tail };
}

/** One event with the endpoints it was routed to. */
export function eventByIdQuery(projectId: string, id: string): Prisma.Sql {
  return Prisma.sql`SELECT ${EVENT_COLUMNS} FROM events e WHERE e.project_id = ${projectId}::uuid AND e.id = ${id}::uuid`;
}

/** One page of `GET /events`. The rows' shape is Prisma's `Event`. */
export function eventPageQuery(
  projectId: string,
  filters: EventFilters,
  plan: KeysetPlan,
): Prisma.Sql {
  const keyset = keysetSql(Prisma.sql`e.id`, plan);
  const where = Prisma.join([...eventConditions(projectId, filters), ...keyset.where], ' AND ');
  return Prisma.sql`SELECT ${EVENT_COLUMNS} FROM events e WHERE ${where} ${keyset.tail}`;
}

/** One page of `GET /eventdeliveries`. The rows' shape is Prisma's `EventDelivery`. */
export function deliveryPageQuery(
  projectId: string,
  filters: DeliveryFilters,
  plan: KeysetPlan,
): Prisma.Sql {
  const keyset = keysetSql(Prisma.sql`d.id`, plan);
  const where = Prisma.join([...deliveryConditions(projectId, filters), ...keyset.where], ' AND ');
  return Prisma.sql`SELECT ${DELIVERY_COLUMNS} FROM event_deliveries d WHERE ${where} ${keyset.tail}`;
}

/** `GET /eventdeliveries/statustotals`: one count per status present. */
export function deliveryStatusTotalsQuery(projectId: string, filters: DeliveryFilters): Prisma.Sql {
  return Prisma.sql`
    SELECT d.status::text AS status, count(*)::int AS count
    FROM event_deliveries d WHERE ${Prisma.join(deliveryConditions(projectId, filters), ' AND ')}
    GROUP BY d.status`;
}

/** Turns fetched rows into a page in the list's order, with Convoy's has-next/has-prev flags. */
export function toPage<T>(
  rows: T[],
  plan: KeysetPlan,
): { rows: T[]; hasNext: boolean; hasPrev: boolean } {
  const more = rows.length > plan.perPage;
  const page = rows.slice(0, plan.perPage);
  if (plan.reversed) page.reverse();
  return {
    rows: page,
    // Walking back from a cursor, the rows after it exist by definition.
    hasNext: plan.reversed ? true : more,
    hasPrev: plan.reversed ? more : plan.cursor !== undefined,
  };
}
