import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { Cursor, DeliveryStatus, Event, EventDelivery, JsonValue, PageResult } from '../records';
import type { EventFilters } from './event.repository';
import { keysetPage } from './paging';

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
  contentType: string;
  projectConfig: JsonValue;
}

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

export interface DeliveryFilters {
  eventId?: string | undefined;
  endpointIds?: string[] | undefined;
  subscriptionId?: string | undefined;
  statuses?: DeliveryStatus[] | undefined;
  startDate?: Date | undefined;
  endDate?: Date | undefined;
}

@Injectable()
export class DeliveryRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Set-based insert; delivery ids derive from event and endpoint, so replays insert nothing. */
  async insertMany(deliveries: readonly NewDelivery[]): Promise<number> {
    if (deliveries.length === 0) return 0;
    return this.prisma.$executeRaw`
      INSERT INTO event_deliveries (id, project_id, event_id, endpoint_id, subscription_id, event_type,
                                    status, next_attempt_at)
      SELECT d.id, d.project_id, d.event_id, d.endpoint_id, d.subscription_id, d.event_type,
             'Scheduled'::"DeliveryStatus", d.next_attempt_at
      FROM unnest(
        ${deliveries.map((d) => d.id)}::uuid[], ${deliveries.map((d) => d.projectId)}::uuid[],
        ${deliveries.map((d) => d.eventId)}::uuid[], ${deliveries.map((d) => d.endpointId)}::uuid[],
        ${deliveries.map((d) => d.subscriptionId)}::uuid[], ${deliveries.map((d) => d.eventType)}::text[],
        ${deliveries.map((d) => d.nextAttemptAt)}::timestamptz[]
      ) AS d(id, project_id, event_id, endpoint_id, subscription_id, event_type, next_attempt_at)
      ON CONFLICT (id) DO NOTHING`;
  }

  async loadForDispatch(ids: readonly string[]): Promise<DispatchRow[]> {
    if (ids.length === 0) return [];
    return this.prisma.$queryRaw<DispatchRow[]>`
      SELECT d.id, d.project_id AS "projectId", d.event_id AS "eventId", d.endpoint_id AS "endpointId",
             d.status::text AS status, d.attempt_count AS "attemptCount", e.event_type AS "eventType",
             e.raw_data AS "rawData", e.headers AS "eventHeaders", ep.url, ep.status::text AS "endpointStatus",
             ep.secrets, ep.advanced_signatures AS "advancedSignatures",
             ep.http_timeout_seconds AS "httpTimeoutSeconds", ep.rate_limit AS "rateLimit",
             ep.rate_limit_duration_seconds AS "rateLimitDurationSeconds", ep.custom_headers AS "customHeaders",
             ep.authentication, ep.content_type AS "contentType", p.config AS "projectConfig"
      FROM event_deliveries d
      JOIN events e ON e.id = d.event_id
      JOIN endpoints ep ON ep.id = d.endpoint_id
      JOIN projects p ON p.id = d.project_id
      WHERE d.id = ANY(${[...ids]}::uuid[])`;
  }

  /** Applies a batch of outcomes in one statement; a Success is never overwritten. */
  async recordResults(results: readonly DeliveryResult[]): Promise<void> {
    if (results.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE event_deliveries d
      SET status = r.status::"DeliveryStatus",
          attempt_count = d.attempt_count + r.attempted,
          next_attempt_at = r.next_attempt_at,
          latency_ms = COALESCE(r.latency_ms, d.latency_ms),
          last_error = r.last_error,
          delivered_at = CASE WHEN r.status = 'Success' THEN now() ELSE d.delivered_at END,
          updated_at = now()
      FROM unnest(
        ${results.map((r) => r.id)}::uuid[], ${results.map((r) => r.status)}::text[],
        ${results.map((r) => r.attempted)}::int[], ${results.map((r) => r.nextAttemptAt)}::timestamptz[],
        ${results.map((r) => r.latencyMs)}::int[], ${results.map((r) => r.lastError)}::text[]
      ) AS r(id, status, attempted, next_attempt_at, latency_ms, last_error)
      WHERE d.id = r.id AND d.status <> 'Success'`;
  }

  /**
   * Claims due deliveries for the scheduler: rows still Scheduled or Retry whose time has come. The
   * claim pushes `next_attempt_at` forward by the lease, so concurrent schedulers skip them (SKIP
   * LOCKED) and a scheduler that dies after claiming only delays them by the lease.
   */
  claimDue(limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      UPDATE event_deliveries d
      SET next_attempt_at = now() + make_interval(secs => ${leaseSeconds}::int), updated_at = now()
      WHERE d.id IN (
        SELECT id FROM event_deliveries
        WHERE status IN ('Scheduled', 'Retry') AND next_attempt_at <= now()
        ORDER BY next_attempt_at
        LIMIT ${limit}::int
        FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.event_id AS "eventId", d.endpoint_id AS "endpointId", d.project_id AS "projectId"`;
  }

  findById(projectId: string, id: string): Promise<EventDelivery | null> {
    return this.prisma.eventDelivery.findFirst({ where: { id, projectId } });
  }

  page(projectId: string, filters: DeliveryFilters, cursor: Cursor): Promise<PageResult<EventDelivery>> {
    const where: Prisma.EventDeliveryWhereInput = {
      projectId,
      ...(filters.eventId ? { eventId: filters.eventId } : {}),
      ...(filters.endpointIds?.length ? { endpointId: { in: filters.endpointIds } } : {}),
      ...(filters.subscriptionId ? { subscriptionId: filters.subscriptionId } : {}),
      ...(filters.statuses?.length ? { status: { in: filters.statuses } } : {}),
      ...(filters.startDate || filters.endDate
        ? { createdAt: { ...(filters.startDate ? { gte: filters.startDate } : {}), ...(filters.endDate ? { lte: filters.endDate } : {}) } }
        : {}),
    };
    return keysetPage(cursor, (page) =>
      this.prisma.eventDelivery.findMany({ where: { ...where, ...page.where }, orderBy: page.orderBy, take: page.take }),
    );
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
  rescheduleByEvents(projectId: string, eventIds: readonly string[], leaseSeconds: number): Promise<ClaimedDelivery[]> {
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
    const before = options.before === undefined ? Prisma.empty : Prisma.sql`AND id < ${options.before}::uuid`;
    return this.prisma.$queryRaw<ClaimedDelivery[]>`
      UPDATE event_deliveries d
      SET status = 'Scheduled', next_attempt_at = now() + make_interval(secs => ${options.leaseSeconds}::int),
          updated_at = now()
      WHERE d.id IN (
        SELECT id FROM event_deliveries
        WHERE ${retryableConditions(projectId, filters)} ${before}
        ORDER BY id DESC
        LIMIT ${options.limit}::int
        FOR UPDATE SKIP LOCKED)
      RETURNING d.id, d.event_id AS "eventId", d.endpoint_id AS "endpointId", d.project_id AS "projectId"`;
  }

  /** How many deliveries a batch retry with these filters would reschedule now. */
  async countRetryable(projectId: string, filters: DeliveryFilters): Promise<number> {
    const [row] = await this.prisma.$queryRaw<{ num: number }[]>`
      SELECT count(*)::int AS num FROM event_deliveries WHERE ${retryableConditions(projectId, filters)}`;
    return row?.num ?? 0;
  }

  /** Ids of the events matching the event list filters, newest first (batch replay). */
  async findEventIds(projectId: string, filters: EventFilters, limit: number): Promise<string[]> {
    const rows = await this.prisma.event.findMany({
      where: {
        projectId,
        ...(filters.eventType ? { eventType: filters.eventType } : {}),
        ...(filters.endpointIds?.length ? { endpointId: { in: filters.endpointIds } } : {}),
        ...(filters.sourceId ? { sourceId: filters.sourceId } : {}),
        ...(filters.idempotencyKey ? { idempotencyKey: filters.idempotencyKey } : {}),
        ...(filters.brokerMessageId ? { brokerMessageId: filters.brokerMessageId } : {}),
        ...(filters.startDate || filters.endDate
          ? { createdAt: { ...(filters.startDate ? { gte: filters.startDate } : {}), ...(filters.endDate ? { lte: filters.endDate } : {}) } }
          : {}),
      },
      select: { id: true },
      orderBy: { id: 'desc' },
      take: limit,
    });
    return rows.map((row) => row.id);
  }

  /** Those of these events that have no delivery at all (replay routes them again). */
  eventsWithoutDeliveries(projectId: string, eventIds: readonly string[]): Promise<Event[]> {
    if (eventIds.length === 0) return Promise.resolve([]);
    return this.prisma.event.findMany({ where: { projectId, id: { in: [...eventIds] }, deliveries: { none: {} } } });
  }
}

/** The batch-retry selection: the list filters, and never a delivery that succeeded (that is force resend). */
function retryableConditions(projectId: string, filters: DeliveryFilters): Prisma.Sql {
  const conditions = [Prisma.sql`project_id = ${projectId}::uuid`, Prisma.sql`status <> 'Success'`];
  if (filters.eventId) conditions.push(Prisma.sql`event_id = ${filters.eventId}::uuid`);
  if (filters.endpointIds?.length) conditions.push(Prisma.sql`endpoint_id = ANY(${filters.endpointIds}::uuid[])`);
  if (filters.subscriptionId) conditions.push(Prisma.sql`subscription_id = ${filters.subscriptionId}::uuid`);
  if (filters.statuses?.length) {
    conditions.push(Prisma.sql`status = ANY(${filters.statuses}::text[]::"DeliveryStatus"[])`);
  }
  if (filters.startDate) conditions.push(Prisma.sql`created_at >= ${filters.startDate}::timestamptz`);
  if (filters.endDate) conditions.push(Prisma.sql`created_at <= ${filters.endDate}::timestamptz`);
  return Prisma.join(conditions, ' AND ');
}
