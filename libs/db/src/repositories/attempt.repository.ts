import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';
import type { DeliveryAttempt } from '../records';

export interface NewAttempt {
  id: string;
  projectId: string;
  deliveryId: string;
  endpointId: string;
  url: string;
  method: string;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string> | null;
  /** Already bounded by the sender (first 50 KB). */
  responseBody: string | null;
  latencyMs: number;
  error: string | null;
  errorKind: string | null;
  createdAt: Date;
}

@Injectable()
export class AttemptRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The audit log for a whole batch of HTTP attempts, in one statement. */
  async insertMany(attempts: readonly NewAttempt[]): Promise<void> {
    if (attempts.length === 0) return;
    await this.prisma.pool.query({
      name: 'attempts-insert',
      text: `
      INSERT INTO delivery_attempts (id, project_id, delivery_id, endpoint_id, url, method, request_headers,
                                     response_status, response_headers, response_body, latency_ms, error,
                                     error_kind, created_at)
      SELECT a.id, a.project_id, a.delivery_id, a.endpoint_id, a.url, a.method, a.request_headers::jsonb,
             a.response_status, a.response_headers::jsonb, a.response_body, a.latency_ms, a.error,
             a.error_kind, a.created_at
      FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[],
                  $8::int[], $9::text[], $10::text[], $11::int[], $12::text[], $13::text[],
                  $14::timestamptz[])
        AS a(id, project_id, delivery_id, endpoint_id, url, method, request_headers, response_status,
             response_headers, response_body, latency_ms, error, error_kind, created_at)
      ON CONFLICT (id) DO NOTHING`,
      values: [
        attempts.map((a) => a.id),
        attempts.map((a) => a.projectId),
        attempts.map((a) => a.deliveryId),
        attempts.map((a) => a.endpointId),
        attempts.map((a) => a.url),
        attempts.map((a) => a.method),
        attempts.map((a) => JSON.stringify(a.requestHeaders)),
        attempts.map((a) => a.responseStatus),
        attempts.map((a) => (a.responseHeaders ? JSON.stringify(a.responseHeaders) : null)),
        attempts.map((a) => a.responseBody),
        attempts.map((a) => a.latencyMs),
        attempts.map((a) => a.error),
        attempts.map((a) => a.errorKind),
        attempts.map((a) => a.createdAt.toISOString()),
      ],
    });
  }

  listByDelivery(projectId: string, deliveryId: string): Promise<DeliveryAttempt[]> {
    return this.prisma.deliveryAttempt.findMany({
      where: { projectId, deliveryId },
      orderBy: { id: 'asc' },
    });
  }

  findById(projectId: string, deliveryId: string, id: string): Promise<DeliveryAttempt | null> {
    return this.prisma.deliveryAttempt.findFirst({ where: { id, projectId, deliveryId } });
  }
}
