import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { DeliveryStatus, Event, EventDelivery, JsonValue, PageResult } from '../records';
import {
  deliveryConditions,
  deliveryPageQuery,
  deliveryStatusTotalsQuery,
  eventConditions,
  keysetPlan,
  toPage,
  type DeliveryFilters,
  type EventFilters,
  type LogCursor,
} from './event-log-query';

export interface NewDelivery {
  id: string;
  projectId: string;
  eventId: string;
  endpointId: string;
  subscriptionId: string | null;
  eventType: string;
  /** A safety lease: if the delivery is not attempted by then, the scheduler enqueues it again. */
  nextAttemptAt: Date;
}

/** Everything the deliver stage needs for one delivery, read in one query for a whole batch. */
export interface DispatchRow {
  id: string;
  projectId: string;
  eventId: string;
  endpointId: string;
  status: DeliveryStatus;
  attemptCount: number;
  eventType: string;
  rawData: string;
  eventHeaders: JsonValue;
  url: string;
  endpointStatus: 'active' | 'inactive' | 'paused';
  secrets: JsonValue;
  advancedSignatures: boolean;
  httpTimeoutSeconds: number;
  rateLimit: number;
  rateLimitDurationSeconds: number;
  customHeaders: JsonValue;
  authentication: JsonValue;
  /** Encrypted endpoint credentials (OAuth2 client secret, mTLS key); AAD `endpoint:<id>`. */
  credentials: Uint8Array | null;
  /** The PEM client certificate presented over TLS (mTLS), or null. */
  mtlsClientCert: string | null;
  contentType: string;
  projectConfig: JsonValue;
  /** The endpoint asked for strict FIFO delivery (see libs/delivery dispatch/ordered-queue.ts). */
  ordered: boolean;
}

/** A delivery in an ordered endpoint's queue, as the dispatcher drains it (oldest first). */
export interface OrderedRow extends DispatchRow {
  nextAttemptAt: Date;
}

/**
 * `next_attempt_at` of a delivery waiting behind an older unfinished one of its ordered endpoint:
 * the scheduler never claims it; the dispatcher sends it right after the one ahead finishes.
 */
export const ORDERED_WAITING_UNTIL = new Date('9999-01-01T00:00:00.000Z');

/** Statuses of a delivery that is not finished: it still holds its place in an ordered queue. */
const UNFINISHED = Prisma.sql`('Scheduled', 'Processing', 'Retry')`;

export interface DeliveryResult {
  id: string;
  status: DeliveryStatus;
  /** 1 when an HTTP attempt was made, 0 when the delivery was only deferred or discarded. */
  attempted: number;
  nextAttemptAt: Date;
  latencyMs: number | null;
  lastError: string | null;
}

export interface ClaimedDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  projectId: string;
}

/** The columns of a `DispatchRow`, over `event_deliveries d`, `events e`, `endpoints ep`, `projects p`. */
const DISPATCH_COLUMNS = Prisma.sql`
  d.id, d.project_id AS "projectId", d.event_id AS "eventId", d.endpoint_id AS "endpointId",
  d.status::text AS status, d.attempt_count AS "attemptCount", e.event_type AS "eventType",
  e.raw_data AS "rawData", e.headers AS "eventHeaders", ep.url,
  -- a deleted endpoint (or project) is treated as inactive: its deliveries are discarded
  CASE WHEN ep.deleted_at IS NULL AND p.deleted_at IS NULL THEN ep.status::text ELSE 'inactive' END
    AS "endpointStatus",
  ep.secrets, ep.advanced_signatures AS "advancedSignatures",
  ep.http_timeout_seconds AS "httpTimeoutSeconds", ep.rate_limit AS "rateLimit",
  ep.rate_limit_duration_seconds AS "rateLimitDurationSeconds", ep.custom_headers AS "customHeaders",
  ep.authentication, ep.credentials, ep.mtls_client_cert AS "mtlsClientCert",
  ep.content_type AS "contentType", p.config AS "projectConfig", ep.ordered`;

@Injectable()
export class DeliveryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Set-based insert; delivery ids derive from event and endpoint, so replays insert nothing. */
  async insertMany(deliveries: readonly NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    const result = await this.prisma.pool.query({
      name: 'deliveries-insert',
      text: `
      INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type,
                                    status, next_attempt_at)
      SELECT d.id, d.project_id, d.event_id, d.endpoint_id, d.subscription_id, d.event_type,
             'Scheduled'::"DeliveryStatus", d.next_attempt_at
      FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::text[], $7::timestamptz[])
        AS d(id, project_id, event_id, endpoint_id, subscription_id, event_type, next_attempt_at)
      ON CONFLICT (id) DO NOTHING`,
      values: [
        deliveries.map((d) => d.id),
        deliveries.map((d) => d.projectId),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.endpointId),
        deliveries.map((d) => d.subscriptionId),
        deliveries.map((d) => d.eventType),
        deliveries.map((d) => d.nextAttemptAt.toISOString()),
      ],
    });
    return result.rowCount ?? 0;
  }

  async loadForDispatch(ids: readonly string[]): Promise<DispatchRow[]> {
    if (ids.length === 0) return [];
    const result = await this.prisma.pool.query<DispatchRow>({
      name: 'deliveries-load-for-dispatch',
      text: `
      SELECT ${DISPATCH_COLUMNS.sql}
      FROM event_deliveries d
      JOIN events e ON e.id = d.event_id
      JOIN endpoints ep ON ep.id = d.endpoint_id
      JOIN projects p ON p.id = d.project_id
      WHERE d.id = ANY($1::uuid[])`,
      values: [[...ids]],
    });
    return result.rows;
  }

  /**
   * The head of an ordered endpoint's queue: its oldest unfinished deliveries in order (the
   * partial index on (endpoint_id, seq) holds only unfinished rows).
   */
  loadOrderedQueue(endpointId: string, limit: number): Promise<OrderedRow[]> {
    return this.prisma.$queryRaw<OrderedRow[]>`
      SELECT ${DISPATCH_COLUMNS}, d.next_attempt_at AS "nextAttemptAt"
      FROM event_deliveries d
      JOIN events e ON e.id = d.event_id
      JOIN endpoints ep ON ep.id = d.endpoint_id
      JOIN projects p ON p.id = d.project_id
      WHERE d.endpoint_id = ${endpointId}::uuid AND d.status IN ${UNFINISHED}
      ORDER BY d.seq
      LIMIT ${limit}::int`;
  }

  /** Makes an unfinished delivery due now, so the scheduler hands it to the dispatcher again. */
  async markDue(id: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE event_deliveries SET next_attempt_at = now(), updated_at = now()
      WHERE id = ${id}::uuid AND status IN ${UNFINISHED}`;
  }

  /**
   * Safety net for ordered queues: a head left waiting (`ORDERED_WAITING_UNTIL`) because the one
   * ahead finished while the scheduler was parking it is made due. One index probe per ordered
   * endpoint. Returns how many heads it woke.
   */
  wakeWaitingHeads(): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE event_deliveries d SET next_attempt_at = now(), updated_at = now()
      FROM endpoints ep
      CROSS JOIN LATERAL (
        SELECT h.id, h.next_attempt_at FROM event_deliveries h
        WHERE h.endpoint_id = ep.id AND h.status IN ${UNFINISHED}
        ORDER BY h.seq LIMIT 1) head
      WHERE ep.ordered AND head.next_attempt_at >= ${ORDERED_WAITING_UNTIL}
        AND d.id = head.id AND d.next_attempt_at >= ${ORDERED_WAITING_UNTIL}`;
  }

  /** Applies a batch of outcomes in one statement; a Success is never overwritten. */
  async recordResults(results: readonly DeliveryResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.prisma.pool.query({
      name: 'deliveries-record-results',
      text: `
      UPDATE event_deliveries d
      SET status = r.status::"DeliveryStatus",
          attempt_count = d.attempt_count + r.attempted,
          next_attempt_at = r.next_attempt_at,
          latency_ms = COALESCE(r.latency_ms, d.latency_ms),
          last_error = r.last_error,
          delivered_at = CASE WHEN r.status = 'Success' THEN now() ELSE d.delivered_at END,
          updated_at = now()
      FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::int[], $6::text[])
        AS r(id, status, attempted, next_attempt_at, latency_ms, last_error)
      WHERE d.id = r.id AND d.status <> 'Success'`,
      values: [
        results.map((r) => r.id),
        results.map((r) => r.status),
        results.map((r) => r.attempted),
        results.map((r) => r.nextAttemptAt.toISOString()),
        results.map((r) => r.latencyMs),
        results.map((r) => r.lastError),
      ],
    });
  }

  /**
   * Claims due deliveries for the scheduler: rows still Scheduled or Retry whose time has come. The
   * claim pushes `next_attempt_at` forward by the lease, so concurrent schedulers skip them (SKIP
   * LOCKED) and a scheduler that dies after claiming only delays them by the lease.
   *
   * Ordered endpoints: only the head of the queue is handed on. A delivery with an older unfinished
   * one ahead of it is parked (`ORDERED_WAITING_UNTIL`) instead: the dispatcher sends it when the one
   * ahead finishes, so it costs the scheduler this one look, not one per lease.
   */
  async claimDue(limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
    // Every scheduler round runs this, found work or not: straight to the pool (see PrismaService).
    const { rows } = await this.prisma.pool.query<ClaimedDelivery & { waiting: boolean }>({
      name: 'deliveries-claim-due',
      text: `
      WITH due AS (
        SELECT id, endpoint_id, seq FROM event_deliveries
        WHERE status IN ('Scheduled', 'Retry') AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT $1::int
        FOR UPDATE SKIP LOCKED
      ), waiting AS (
        SELECT due.id FROM due JOIN endpoints ep ON ep.id = due.endpoint_id
        WHERE ep.ordered AND EXISTS (
          SELECT 1 FROM event_deliveries ahead
          WHERE ahead.endpoint_id = due.endpoint_id AND ahead.status IN ${UNFINISHED.sql} AND ahead.seq < due.seq)
      )
      UPDATE event_deliveries d
      SET next_attempt_at = CASE WHEN w.id IS NULL THEN now() + make_interval(secs => $2::int)
                                 ELSE $3::timestamptz END,
          updated_at = now()
      FROM due LEFT JOIN waiting w ON w.id = due.id
      WHERE d.id = due.id
      RETURNING d.id, d.event_id AS "eventId", d.endpoint_id AS "endpointId", d.project_id AS "projectId",
                w.id IS NOT NULL AS waiting`,
      values: [limit, leaseSeconds, ORDERED_WAITING_UNTIL.toISOString()],
    });
    return rows.filter((row) => !row.waiting).map(({ waiting: _waiting, ...claimed }) => claimed);
  }

  findById(projectId: string, id: string): Promise<EventDelivery | null> {
    return this.prisma.eventDelivery.findFirst({ where: { id, projectId } });
  }

  /** One page of the delivery list, newest first unless `cursor.sort` is `asc` (see event-log-query). */
  async page(
    projectId: string,
    filters: DeliveryFilters,
    cursor: LogCursor,
  ): Promise<PageResult<EventDelivery>> {
    const plan = keysetPlan(cursor);
    return toPage(
      await this.prisma.$queryRaw<EventDelivery[]>(deliveryPageQuery(projectId, filters, plan)),
      plan,
    );
  }

  /** How many deliveries match the list filters, per status (statuses with none are absent). */
  async statusTotals(
    projectId: string,
    filters: DeliveryFilters,
  ): Promise<Map<DeliveryStatus, number>> {
    const rows = await this.prisma.$queryRaw<{ status: DeliveryStatus; count: number }[]>(
      deliveryStatusTotalsQuery(projectId, filters),
    );
    return new Map(rows.map((row) => [row.status, row.count]));
  }

  /**
   * Manual resends: puts the named deliveries back to Scheduled in one statement, keeping their
   * attempts and count. `next_attempt_at` becomes a safety lease, not now: the caller produces the
   * delivery message itself, and a due row would also be claimed by the scheduler and sent twice.
   * Success rows are left alone unless `includeSuccess` (force resend).
   */
  reschedule(
    projectId: string,
    ids: readonly string[],
    options: { includeSuccess: boolean; leaseSeconds: number },
  ): Promise<ClaimedDelivery[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      UPDATE event_deliveries d
      SET status = 'Scheduled', next_attempt_at = now() + make_interval(secs => ${options.leaseSeconds}::int),
          updated_at = now()
      WHERE d.project_id = ${projectId}::uuid AND d.id = ANY(${[...ids]}::uuid[])
        AND (${options.includeSuccess}::boolean OR d.status <> 'Success')
      RETURNING d.id, d.event_id AS "eventId", d.endpoint_id AS "endpointId", d.project_id AS "projectId"`;
  }

  /** Event replay: every delivery of these events back to Scheduled, successful ones included. */
  rescheduleByEvents(
    projectId: string,
    eventIds: readonly string[],
    leaseSeconds: number,
  ): Promise<ClaimedDelivery[]> {
    if (eventIds.length === 0) return Promise.resolve([]);
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      UPDATE event_deliveries d
      SET status = 'Scheduled', next_attempt_at = now() + make_interval(secs => ${leaseSeconds}::int), updated_at = now()
      WHERE d.project_id = ${projectId}::uuid AND d.event_id = ANY(${[...eventIds]}::uuid[])
      RETURNING d.id, d.event_id AS "eventId", d.endpoint_id AS "endpointId", d.project_id AS "projectId"`;
  }

  /**
   * Batch retry, one chunk: reschedules up to `limit` matching deliveries that did not succeed,
   * newest first, with ids below `before` (keyset: pass the smallest id returned to get the next
   * chunk; an empty answer means done). Rows another writer holds at that instant are skipped (SKIP
   * LOCKED): they are being worked on, and waiting for them could deadlock with the dispatcher.
   */
  rescheduleRetryable(
    projectId: string,
    filters: DeliveryFilters,
    options: { limit: number; before?: string | undefined; leaseSeconds: number },
  ): Promise<ClaimedDelivery[]> {
    const before =
      options.before === undefined ? Prisma.empty : Prisma.sql`AND d.id < ${options.before}::uuid`;
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      UPDATE event_deliveries t
      SET status = 'Scheduled', next_attempt_at = now() + make_interval(secs => ${options.leaseSeconds}::int),
          updated_at = now()
      WHERE t.id IN (
        SELECT d.id FROM event_deliveries d
        WHERE ${retryableConditions(projectId, filters)} ${before}
        ORDER BY d.id DESC
        LIMIT ${options.limit}::int
        FOR UPDATE SKIP LOCKED)
      RETURNING t.id, t.event_id AS "eventId", t.endpoint_id AS "endpointId", t.project_id AS "projectId"`;
  }

  /** How many deliveries a batch retry with these filters would reschedule now. */
  async countRetryable(projectId: string, filters: DeliveryFilters): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ num: number }[]>`
      SELECT count(*)::int AS num FROM event_deliveries d WHERE ${retryableConditions(projectId, filters)}`;
    return row?.num ?? 0;
  }

  /** Ids of the events matching the event list filters, newest first (batch replay). */
  async findEventIds(projectId: string, filters: EventFilters, limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT e.id FROM events e WHERE ${Prisma.join(eventConditions(projectId, filters), ' AND ')}
      ORDER BY e.id DESC LIMIT ${limit}::int`;
    return rows.map((row) => row.id);
  }

  /** How many events these filters select (what a batch replay would take). */
  async countEvents(projectId: string, filters: EventFilters): Promise<number> {
    const rows = await this.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM events e
      WHERE ${Prisma.join(eventConditions(projectId, filters), ' AND ')}`;
    return Number(rows[0]?.n ?? 0);
  }

  /** Those of these events that have no delivery at all (replay routes them again). */
  eventsWithoutDeliveries(projectId: string, eventIds: readonly string[]): Promise<Event[]> {
    if (eventIds.length === 0) return Promise.resolve([]);
    return this.prisma.event.findMany({
      where: { projectId, id: { in: [...eventIds] }, deliveries: { none: {} } },
    });
  }
}

/** The batch-retry selection: the list filters, and never a delivery that succeeded (that is force resend). */
function retryableConditions(projectId: string, filters: DeliveryFilters): Prisma.Sql {
  return Prisma.join(
    [...deliveryConditions(projectId, filters), Prisma.sql`d.status <> 'Success'`],
    ' AND ',
  );
}
