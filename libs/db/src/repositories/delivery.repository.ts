import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { Cursor, DeliveryStatus, EventDelivery, JsonValue, PageResult } from '../records';
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
}
