import { Injectable } from '@nestjs/common';
import type { IngestFailure, Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { Cursor, PageResult } from '../records';
import { keysetPage } from './paging';

export type { IngestFailure } from '../generated/prisma/client';

export interface NewIngestFailure {
  id: string;
  projectId: string;
  sourceId: string;
  brokerMessageId: string;
  reason: string;
  detail: string;
  payload: string;
  payloadBytes: number;
  attributes: Record<string, string>;
}

export interface IngestFailureFilters {
  sourceId?: string | undefined;
  reason?: string | undefined;
}

@Injectable()
export class IngestFailureRepository {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Records invalid broker messages; one row per (source, broker message id), so a redelivered copy
   * of a message already recorded adds nothing. Returns how many rows were new.
   */
  async recordMany(failures: readonly NewIngestFailure[]): Promise<number> {
    if (failures.length === 0) return 0;
    const { count } = await this.prisma.ingestFailure.createMany({
      data: failures.map((failure) => ({ ...failure })),
      skipDuplicates: true,
    });
    return count;
  }

  page(
    projectId: string,
    filters: IngestFailureFilters,
    cursor: Cursor,
  ): Promise<PageResult<IngestFailure>> {
    const where: Prisma.IngestFailureWhereInput = {
      projectId,
      ...(filters.sourceId ? { sourceId: filters.sourceId } : {}),
      ...(filters.reason ? { reason: filters.reason } : {}),
    };
    return keysetPage(cursor, (page) =>
      this.prisma.ingestFailure.findMany({
        where: { ...where, ...page.where },
        orderBy: page.orderBy,
        take: page.take,
      }),
    );
  }
}
