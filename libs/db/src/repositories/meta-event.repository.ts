import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';
import type { Cursor, MetaEvent, PageResult } from '../records';
import { idCeiling, idFloor } from './event-log-query';
import { keysetPage } from './paging';

/** A meta event as sent, with the outcome of that attempt. */
export interface MetaEventOutcome {
  status: 'Success' | 'Failure';
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string | string[]> | null;
  responseData: string;
  error: string;
}

export interface NewMetaEvent extends MetaEventOutcome {
  id: string;
  projectId: string;
  eventType: string;
  payload: string;
}

export interface MetaEventFilters {
  startDate?: Date | undefined;
  endDate?: Date | undefined;
}

/** The meta event log: written once per send (after it), read by the API. */
@Injectable()
export class MetaEventRepository {
  constructor(private readonly prisma: PrismaService) {}

  async insert(event: NewMetaEvent): Promise<void> {
    await this.prisma.metaEvent.create({
      data: { ...event, responseHeaders: event.responseHeaders ?? undefined },
    });
  }

  /** Records a resend's outcome; null when the meta event is gone. */
  async recordResend(
    projectId: string,
    id: string,
    outcome: MetaEventOutcome,
  ): Promise<MetaEvent | null> {
    const { count } = await this.prisma.metaEvent.updateMany({
      where: { id, projectId },
      data: {
        ...outcome,
        responseHeaders: outcome.responseHeaders ?? undefined,
        numTrials: { increment: 1 },
      },
    });
    return count === 0 ? null : this.findById(projectId, id);
  }

  findById(projectId: string, id: string): Promise<MetaEvent | null> {
    return this.prisma.metaEvent.findFirst({ where: { id, projectId } });
  }

  /** Newest first; dates become id ranges (ids are UUIDv7, as for events). */
  page(
    projectId: string,
    cursor: Cursor,
    filters: MetaEventFilters = {},
  ): Promise<PageResult<MetaEvent>> {
    const range = {
      ...(filters.startDate ? { gte: idFloor(filters.startDate) } : {}),
      ...(filters.endDate ? { lte: idCeiling(filters.endDate) } : {}),
    };
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.metaEvent.findMany({
        where: {
          projectId,
          AND: [where, ...(Object.keys(range).length > 0 ? [{ id: range }] : [])],
        },
        orderBy,
        take,
      }),
    );
  }
}
