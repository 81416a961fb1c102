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
