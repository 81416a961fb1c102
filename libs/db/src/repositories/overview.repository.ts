import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import { idCeiling, idFloor } from './event-log-query';

export interface LatencyPercentiles {
  p50: number;
  p99: number;
  /** How many deliveries the percentiles are over (those with a recorded latency). */
  samples: number;
}

export interface FailingEndpoint {
  id: string;
  name: string;
  url: string;
  status: string;
  disabledReason: string | null;
  /** Deliveries in the window that ended Failure or are waiting to Retry. */
  failing: number;
  total: number;
}

/**
 * A project's health over a time window, read from the deliveries made in it. The window bounds an
 * id range (UUIDv7 ids carry their time), so each query is an index range scan of that window.
 */
@Injectable()
export class OverviewRepository {
  constructor(private readonly prisma: PrismaService) {}

  async latency(projectId: string, from: Date, to: Date): Promise<LatencyPercentiles | null> {
    const [row] = await this.prisma.$queryRaw<
      { p50: number | null; p99: number | null; samples: bigint }[]
    >(Prisma.sql`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY d.latency_ms) AS p50,
             percentile_cont(0.99) WITHIN GROUP (ORDER BY d.latency_ms) AS p99,
             count(d.latency_ms) AS samples
      FROM event_deliveries d
      WHERE d.project_id = ${projectId}::uuid
        AND d.id BETWEEN ${idFloor(from)}::uuid AND ${idCeiling(to)}::uuid
        AND d.latency_ms IS NOT NULL`);
    if (!row || row.p50 === null || row.p99 === null) return null;
    return { p50: Math.round(row.p50), p99: Math.round(row.p99), samples: Number(row.samples) };
  }

  /**
   * Endpoints with failing deliveries in the window, most failures first, and every disabled
   * (inactive) endpoint, whose breaker gave up on it.
   */
  async failingEndpoints(
    projectId: string,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<FailingEndpoint[]> {
    const rows = await this.prisma.$queryRaw<
      (Omit<FailingEndpoint, 'failing' | 'total'> & { failing: bigint; total: bigint })[]
    >(Prisma.sql`
      WITH window_counts AS (
        SELECT d.endpoint_id,
               count(*) FILTER (WHERE d.status IN ('Failure', 'Retry')) AS failing,
               count(*) AS total
        FROM event_deliveries d
        WHERE d.project_id = ${projectId}::uuid
          AND d.id BETWEEN ${idFloor(from)}::uuid AND ${idCeiling(to)}::uuid
        GROUP BY d.endpoint_id
      )
      SELECT e.id, e.name, e.url, e.status::text AS status, e.disabled_reason AS "disabledReason",
             coalesce(w.failing, 0) AS failing, coalesce(w.total, 0) AS total
      FROM endpoints e
      LEFT JOIN window_counts w ON w.endpoint_id = e.id
      WHERE e.project_id = ${projectId}::uuid AND e.deleted_at IS NULL
        AND (w.failing > 0 OR e.status = 'inactive')
      ORDER BY (e.status = 'inactive') DESC, coalesce(w.failing, 0) DESC, e.id
      LIMIT ${limit}`);
    return rows.map((row) => ({ ...row, failing: Number(row.failing), total: Number(row.total) }));
  }
}
