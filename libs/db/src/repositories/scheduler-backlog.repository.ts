import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';

export interface DueBacklog {
  /** Deliveries due now, counted up to `cap`. */
  due: number;
  /** Seconds the oldest due delivery has waited past its `next_attempt_at` (0 when none). */
  oldestAgeSeconds: number;
}

/** What the scheduler has not caught up with yet, for its metrics. */
@Injectable()
export class SchedulerBacklogRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * One range scan of the (status, next_attempt_at) index the scheduler claims from, stopped after
   * `cap` rows so a huge backlog costs a bounded read.
   */
  async dueBacklog(cap = 100_000): Promise<DueBacklog> {
    const [row] = await this.prisma.$queryRaw<{ due: number; oldest: number | null }[]>`
      SELECT count(*)::int AS due,
             extract(epoch FROM now() - min(next_attempt_at))::float8 AS oldest
      FROM (
        SELECT next_attempt_at FROM event_deliveries
        WHERE status IN ('Scheduled', 'Retry') AND next_attempt_at <= now()
        LIMIT ${cap}::int
      ) due`;
    return { due: row?.due ?? 0, oldestAgeSeconds: Math.max(0, row?.oldest ?? 0) };
  }
}
