import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';
import type { EndpointStatus, JsonValue } from '../records';

export interface RouteEndpoint {
  id: string;
  projectId: string;
  ownerId: string | null;
  status: EndpointStatus;
}

export interface RouteSubscription {
  id: string;
  projectId: string;
  endpointId: string;
  sourceId: string | null;
  eventTypes: string[];
  filterHeaders: JsonValue;
  filterBody: JsonValue;
}

export interface RoutingTable {
  endpoints: RouteEndpoint[];
  subscriptions: RouteSubscription[];
}

/** What the route stage needs to fan an event out: live endpoints and active subscriptions. */
@Injectable()
export class RoutingRepository {
  constructor(private readonly prisma: PrismaService) {}

  async load(projectIds: readonly string[]): Promise<Map<string, RoutingTable>> {
    const ids = [...new Set(projectIds)];
    const [endpoints, subscriptions] = await Promise.all([
      this.prisma.endpoint.findMany({
        where: { projectId: { in: ids }, deletedAt: null },
        select: { id: true, projectId: true, ownerId: true, status: true },
      }),
      this.prisma.subscription.findMany({
        where: { projectId: { in: ids }, deletedAt: null, status: 'active' },
        select: {
          id: true,
          projectId: true,
          endpointId: true,
          sourceId: true,
          eventTypes: true,
          filterHeaders: true,
          filterBody: true,
        },
      }),
    ]);
    const tables = new Map<string, RoutingTable>(ids.map((id) => [id, { endpoints: [], subscriptions: [] }]));
    for (const endpoint of endpoints) tables.get(endpoint.projectId)?.endpoints.push(endpoint);
    for (const subscription of subscriptions) tables.get(subscription.projectId)?.subscriptions.push(subscription);
    return tables;
  }
}
