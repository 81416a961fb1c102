import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { Cursor, Endpoint, EndpointStatus, PageResult, Subscription } from '../records';
import { keysetPage } from './paging';

/** Convoy's endpoint list filters: an owner, and a name containing `name` (any case). */
export interface EndpointFilters {
  ownerId?: string | undefined;
  name?: string | undefined;
}

/** Convoy's subscription list filters: any of these endpoints, and a name containing `name`. */
export interface SubscriptionFilters {
  endpointIds?: string[] | undefined;
  name?: string | undefined;
}

@Injectable()
export class EndpointRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: Prisma.EndpointUncheckedCreateInput): Promise<Endpoint> {
    return this.prisma.endpoint.create({ data });
  }

  findById(projectId: string, id: string): Promise<Endpoint | null> {
    return this.prisma.endpoint.findFirst({ where: { id, projectId, deletedAt: null } });
  }

  /** The live endpoints among `ids`, in one query (for the objects a list page refers to). */
  findManyByIds(projectId: string, ids: readonly string[]): Promise<Endpoint[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return this.prisma.endpoint.findMany({
      where: { id: { in: [...new Set(ids)] }, projectId, deletedAt: null },
    });
  }

  /** How many live endpoints a project has. */
  countLive(projectId: string): Promise<number> {
    return this.prisma.endpoint.count({ where: { projectId, deletedAt: null } });
  }

  async setSecrets(projectId: string, id: string, secrets: object): Promise<Endpoint> {
    return this.prisma.endpoint.update({ where: { id, projectId }, data: { secrets } });
  }

  /** Stops deliveries to endpoints that told us to (410 Gone) or kept failing; keeps why. */
  async disable(ids: readonly string[], reason: string): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.endpoint.updateMany({
      where: { id: { in: [...ids] }, status: 'active' },
      data: { status: 'inactive', disabledReason: reason },
    });
  }

  /** Updates a live endpoint (`authentication: null` removes it); null when there is none (deleted meanwhile). */
  async update(
    projectId: string,
    id: string,
    patch: Omit<Prisma.EndpointUncheckedUpdateInput, 'authentication'> & {
      authentication?: Prisma.InputJsonValue | null;
    },
  ): Promise<Endpoint | null> {
    const { authentication, ...rest } = patch;
    const data: Prisma.EndpointUncheckedUpdateInput =
      authentication === undefined
        ? rest
        : { ...rest, authentication: authentication ?? Prisma.DbNull };
    const { count } = await this.prisma.endpoint.updateMany({
      where: { id, projectId, deletedAt: null },
      data,
    });
    return count === 0 ? null : this.findById(projectId, id);
  }

  /**
   * Moves a live endpoint from one of `from` to `to`; null when it is in none of them (or gone).
   * Becoming active also clears what the breaker recorded (trips, disable reason) and makes the
   * deliveries the dispatcher deferred because of a pause due now, so they go out at once.
   */
  async transition(
    projectId: string,
    id: string,
    from: readonly EndpointStatus[],
    to: EndpointStatus,
  ): Promise<Endpoint | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.endpoint.updateMany({
        where: { id, projectId, deletedAt: null, status: { in: [...from] } },
        data:
          to === 'active'
            ? { status: to, consecutiveTrips: 0, disabledReason: null }
            : { status: to },
      });
      if (count === 0) return null;
      if (to === 'active') {
        // 'endpoint is paused' is what the deliver stage records when it defers for a pause.
        await tx.eventDelivery.updateMany({
          where: {
            endpointId: id,
            status: { in: ['Scheduled', 'Retry'] },
            lastError: 'endpoint is paused',
          },
          data: { nextAttemptAt: new Date() },
        });
      }
      return tx.endpoint.findFirst({ where: { id, projectId } });
    });
  }

  /**
   * Soft delete: the endpoint and its subscriptions are marked deleted (rows stay for the delivery
   * log) and its pending deliveries end Discarded. Returns whether a live endpoint was deleted.
   */
  async softDelete(projectId: string, id: string): Promise<boolean> {
    const now = new Date();
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.endpoint.updateMany({
        where: { id, projectId, deletedAt: null },
        data: { deletedAt: now },
      });
      if (count === 0) return false;
      await tx.subscription.updateMany({
        where: { endpointId: id, deletedAt: null },
        data: { deletedAt: now },
      });
      await tx.eventDelivery.updateMany({
        where: { endpointId: id, status: { in: ['Scheduled', 'Processing', 'Retry'] } },
        data: { status: 'Discarded', lastError: 'endpoint deleted' },
      });
      return true;
    });
  }

  /** Every live endpoint's secrets in a project (checks before a signature format change). */
  async secretsOfProject(projectId: string): Promise<{ id: string; secrets: Prisma.JsonValue }[]> {
    return this.prisma.endpoint.findMany({
      where: { projectId, deletedAt: null },
      select: { id: true, secrets: true },
    });
  }

  page(
    projectId: string,
    cursor: Cursor,
    filters: EndpointFilters = {},
  ): Promise<PageResult<Endpoint>> {
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.endpoint.findMany({
        where: {
          ...where,
          projectId,
          deletedAt: null,
          ...(filters.ownerId ? { ownerId: filters.ownerId } : {}),
          ...(filters.name ? { name: { contains: filters.name, mode: 'insensitive' } } : {}),
        },
        orderBy,
        take,
      }),
    );
  }

  /** The ids of the live endpoints among `ids` (a portal link's list), or of an owner's. */
  async liveIds(
    projectId: string,
    among: { ids: string[] } | { ownerId: string },
  ): Promise<string[]> {
    const rows = await this.prisma.endpoint.findMany({
      where: {
        projectId,
        deletedAt: null,
        ...('ids' in among ? { id: { in: among.ids } } : { ownerId: among.ownerId }),
      },
      select: { id: true },
    });
    return rows.map((row) => row.id);
  }

  /** A page of the live endpoints among `ids` (never others: an empty list is an empty page). */
  pageAmong(projectId: string, cursor: Cursor, ids: string[]): Promise<PageResult<Endpoint>> {
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.endpoint.findMany({
        where: { AND: [where, { id: { in: ids } }], projectId, deletedAt: null },
        orderBy,
        take,
      }),
    );
  }
}

@Injectable()
export class SubscriptionRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: Prisma.SubscriptionUncheckedCreateInput): Promise<Subscription> {
    return this.prisma.subscription.create({ data });
  }

  findById(projectId: string, id: string): Promise<Subscription | null> {
    return this.prisma.subscription.findFirst({ where: { id, projectId, deletedAt: null } });
  }

  /** Updates a live subscription; null when there is none (deleted meanwhile). */
  async update(
    projectId: string,
    id: string,
    data: Prisma.SubscriptionUncheckedUpdateInput,
  ): Promise<Subscription | null> {
    const { count } = await this.prisma.subscription.updateMany({
      where: { id, projectId, deletedAt: null },
      data,
    });
    return count === 0 ? null : this.findById(projectId, id);
  }

  /** Soft delete (deliveries keep naming it); returns whether a live subscription was deleted. */
  async softDelete(projectId: string, id: string): Promise<boolean> {
    const { count } = await this.prisma.subscription.updateMany({
      where: { id, projectId, deletedAt: null },
      data: { deletedAt: new Date() },
    });
    return count > 0;
  }

  page(
    projectId: string,
    cursor: Cursor,
    filters: SubscriptionFilters = {},
  ): Promise<PageResult<Subscription>> {
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.subscription.findMany({
        where: {
          ...where,
          projectId,
          deletedAt: null,
          ...(filters.endpointIds?.length ? { endpointId: { in: filters.endpointIds } } : {}),
          ...(filters.name ? { name: { contains: filters.name, mode: 'insensitive' } } : {}),
        },
        orderBy,
        take,
      }),
    );
  }
}
