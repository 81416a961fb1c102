import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import { idFloor } from './event-log-query';

/**
 * Deletes a project's old events with their deliveries and attempts, a small batch per statement.
 * Ids are UUIDv7 (their first 48 bits are the acceptance time), so "older than the cutoff" is a
 * range of the (project_id, id) index; deliveries and attempts go by the foreign keys' cascades
 * (indexed on event_id and delivery_id). Rows another scheduler is deleting are skipped, not
 * waited for, and the hot path never touches rows this old, so nothing waits on these locks.
 */
@Injectable()
export class RetentionRepository {
  constructor(private readonly prisma: PrismaService) {}

  async projectConfigs(): Promise<{ id: string; config: unknown }[]> {
    return this.prisma.$queryRaw<{ id: string; config: unknown }[]>`
      SELECT id, config FROM projects`;
  }

  /** Deletes up to `limit` of the project's events accepted before `cutoff`; returns how many. */
  deleteOlderThan(projectId: string, cutoff: Date, limit: number): Promise<number> {
    return this.deleteBatch('events', projectId, cutoff, limit);
  }

  /** The same for the project's meta event log (ids are UUIDv7 too). */
  deleteMetaEventsOlderThan(projectId: string, cutoff: Date, limit: number): Promise<number> {
    return this.deleteBatch('meta_events', projectId, cutoff, limit);
  }

  private deleteBatch(
    table: 'events' | 'meta_events',
    projectId: string,
    cutoff: Date,
    limit: number,
  ): Promise<number> {
    // The table name is one of two literals, never input.
    const name = Prisma.raw(table);
    return this.prisma.$executeRaw`
      DELETE FROM ${name} WHERE id IN (
        SELECT id FROM ${name}
        WHERE project_id = ${projectId}::uuid AND id < ${idFloor(cutoff)}::uuid
        ORDER BY id
        LIMIT ${limit}::int
        FOR UPDATE SKIP LOCKED
      )`;
  }
}
