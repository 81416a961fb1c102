import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { Cursor, Event, PageResult } from '../records';
import { keysetPage } from './paging';

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

export interface EventFilters {
  eventType?: string | undefined;
  endpointIds?: string[] | undefined;
  sourceId?: string | undefined;
  idempotencyKey?: string | undefined;
  brokerMessageId?: string | undefined;
  startDate?: Date | undefined;
  endDate?: Date | undefined;
}

@Injectable()
export class EventRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One statement for a whole batch (set-based, ~5x faster than createMany). Ids are assigned at
   * ingestion, so a replayed batch conflicts and inserts nothing twice. Returns how many were new.
   */
  async insertMany(events: readonly NewEvent[]): Promise<number> {
    if (events.length === 0) return 0;
    return this.prisma.$executeRaw`
      INSERT INTO events (id, project_id, event_type, raw_data, headers, target_kind, endpoint_id,
                          owner_id, idempotency_key, source_id, broker_message_id, accepted_at)
      SELECT e.id, e.project_id, e.event_type, e.raw_data, e.headers::jsonb,
             e.target_kind::"EventTargetKind", e.endpoint_id, e.owner_id, e.idempotency_key,
             e.source_id, e.broker_message_id, e.accepted_at
      FROM unnest(
        ${events.map((e) => e.id)}::uuid[], ${events.map((e) => e.projectId)}::uuid[],
        ${events.map((e) => e.eventType)}::text[], ${events.map((e) => e.rawData)}::text[],
        ${events.map((e) => JSON.stringify(e.headers))}::text[], ${events.map((e) => e.targetKind)}::text[],
        ${events.map((e) => e.endpointId)}::uuid[], ${events.map((e) => e.ownerId)}::text[],
        ${events.map((e) => e.idempotencyKey)}::text[], ${events.map((e) => e.sourceId)}::uuid[],
        ${events.map((e) => e.brokerMessageId)}::text[], ${events.map((e) => e.acceptedAt)}::timestamptz[]
      ) AS e(id, project_id, event_type, raw_data, headers, target_kind, endpoint_id, owner_id,
             idempotency_key, source_id, broker_message_id, accepted_at)
      ON CONFLICT (id) DO NOTHING`;
  }

  findById(projectId: string, id: string): Promise<Event | null> {
    return this.prisma.event.findFirst({ where: { id, projectId } });
  }

  page(projectId: string, filters: EventFilters, cursor: Cursor): Promise<PageResult<Event>> {
    const where: Prisma.EventWhereInput = {
      projectId,
      ...(filters.eventType ? { eventType: filters.eventType } : {}),
      ...(filters.endpointIds?.length ? { endpointId: { in: filters.endpointIds } } : {}),
      ...(filters.sourceId ? { sourceId: filters.sourceId } : {}),
      ...(filters.idempotencyKey ? { idempotencyKey: filters.idempotencyKey } : {}),
      ...(filters.brokerMessageId ? { brokerMessageId: filters.brokerMessageId } : {}),
      ...(filters.startDate || filters.endDate
        ? { createdAt: { ...(filters.startDate ? { gte: filters.startDate } : {}), ...(filters.endDate ? { lte: filters.endDate } : {}) } }
        : {}),
    };
    return keysetPage(cursor, (page) =>
      this.prisma.event.findMany({ where: { ...where, ...page.where }, orderBy: page.orderBy, take: page.take }),
    );
  }
}
