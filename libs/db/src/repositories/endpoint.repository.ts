import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { Cursor, Endpoint, PageResult, Subscription } from '../records';
import { keysetPage } from './paging';

@Injectable()
export class EndpointRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(data: Prisma.EndpointUncheckedCreateInput): Promise<Endpoint> {
    return this.prisma.endpoint.create({ data });
  }

  findById(projectId: string, id: string): Promise<Endpoint | null> {
    return this.prisma.endpoint.findFirst({ where: { id, projectId, deletedAt: null } });
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

  page(projectId: string, cursor: Cursor, ownerId?: string): Promise<PageResult<Endpoint>> {
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.endpoint.findMany({
        where: { ...where, projectId, deletedAt: null, ...(ownerId ? { ownerId } : {}) },
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

  page(projectId: string, cursor: Cursor, endpointId?: string): Promise<PageResult<Subscription>> {
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.subscription.findMany({
        where: { ...where, projectId, deletedAt: null, ...(endpointId ? { endpointId } : {}) },
        orderBy,
        take,
      }),
    );
  }
}
