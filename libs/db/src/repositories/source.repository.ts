import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { Cursor, JsonValue, PageResult, Source } from '../records';

/** An http source with what `POST /ingest/{maskID}` needs of its project. */
export type HttpSourceWithProject = Source & {
  project: { config: JsonValue; deletedAt: Date | null };
};
import { keysetPage } from './paging';

/** Convoy's source list filters: a type, a provider, and a name containing `name` (any case). */
export interface SourceFilters {
  type?: 'http' | 'pub_sub' | undefined;
  provider?: string | undefined;
  name?: string | undefined;
}

@Injectable()
export class SourceRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Active broker sources of one broker (`pub_sub.type` is `google`, `sqs` or `amqp`), for the ingesters. */
  listActiveBrokerSources(broker: 'google' | 'sqs' | 'amqp'): Promise<Source[]> {
    return this.prisma.source.findMany({
      where: {
        type: 'pub_sub',
        status: 'active',
        deletedAt: null,
        pubSub: { path: ['type'], equals: broker },
      },
      orderBy: { id: 'asc' },
    });
  }

  create(data: Prisma.SourceUncheckedCreateInput): Promise<Source> {
    return this.prisma.source.create({ data });
  }

  /** A live http source by its unguessable mask id (incoming webhooks), with its project's config. */
  findHttpByMaskId(maskId: string): Promise<HttpSourceWithProject | null> {
    return this.prisma.source.findFirst({
      where: { maskId, type: 'http', deletedAt: null },
      include: { project: { select: { config: true, deletedAt: true } } },
    });
  }

  findById(projectId: string, id: string): Promise<Source | null> {
    return this.prisma.source.findFirst({ where: { id, projectId, deletedAt: null } });
  }

  page(
    projectId: string,
    cursor: Cursor,
    filters: SourceFilters = {},
  ): Promise<PageResult<Source>> {
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.source.findMany({
        where: {
          ...where,
          projectId,
          deletedAt: null,
          ...(filters.type ? { type: filters.type } : {}),
          ...(filters.provider ? { provider: filters.provider } : {}),
          ...(filters.name ? { name: { contains: filters.name, mode: 'insensitive' } } : {}),
        },
        orderBy,
        take,
      }),
    );
  }

  /** Updates a live source; null when there is none (deleted meanwhile). */
  async update(
    projectId: string,
    id: string,
    data: Prisma.SourceUncheckedUpdateInput,
  ): Promise<Source | null> {
    const { count } = await this.prisma.source.updateMany({
      where: { id, projectId, deletedAt: null },
      data,
    });
    return count === 0 ? null : this.findById(projectId, id);
  }

  /**
   * Soft delete: the row stays for the events and failures that name it; the ingesters stop it at
   * their next refresh. Returns whether a live source was deleted.
   */
  async softDelete(projectId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.source.updateMany({
      where: { id, projectId, deletedAt: null },
      data: { deletedAt: new Date() },
    });
    return count > 0;
  }
}
