import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';
import type { EndpointStatus, JsonValue } from '../records';

export interface RouteEndpoint {
  id: string;
  projectId: string;
  ownerId: string | null;
  status: EndpointStatus;
  /** Strict FIFO (ADR 0010): its deliveries always go through the deliveries topic. */
  ordered: boolean;
  /** How long one attempt may take: bounds the lease of a delivery sent in-process. */
  httpTimeoutSeconds: number;
}

export interface RouteSubscription {
  id: string;
  projectId: string;
  endpointId: string;
  sourceId: string | null;
  eventTypes: string[];
  filterHeaders: JsonValue;
  filterBody: JsonValue;
  /** Inactive ones route nothing, but still keep their endpoint from the implicit `*` subscription. */
  status: 'active' | 'inactive';
}

export interface RoutingTable {
  endpoints: RouteEndpoint[];
  subscriptions: RouteSubscription[];
  /** The project's http (incoming webhook) sources, deleted ones too (their events replay). */
  httpSourceIds?: ReadonlySet<string>;
}

/** What the route stage needs to fan an event out: live endpoints and their subscriptions. */
@Injectable()
export class RoutingRepository {
  constructor(private readonly prisma: PrismaService) {}

  async load(projectIds: readonly string[]): Promise<Map<string, RoutingTable>> {
    const ids = [...new Set(projectIds)];
    const [endpoints, subscriptions, httpSources] = await Promise.all([
      this.prisma.endpoint.findMany({
        where: { projectId: { in: ids }, deletedAt: null },
        select: {
          id: true,
          projectId: true,
          ownerId: true,
          status: true,
          ordered: true,
          httpTimeoutSeconds: true,
        },
      }),
      this.prisma.subscription.findMany({
        where: { projectId: { in: ids }, deletedAt: null },
        select: {
          id: true,
          projectId: true,
          endpointId: true,
          sourceId: true,
          eventTypes: true,
          filterHeaders: true,
          filterBody: true,
          status: true,
        },
      }),
      this.prisma.source.findMany({
        where: { projectId: { in: ids }, type: 'http' },
        select: { id: true, projectId: true },
      }),
    ]);
    const tables = new Map<string, RoutingTable>(
      ids.map((id) => [id, { endpoints: [], subscriptions: [] }]),
    );
    for (const endpoint of endpoints) tables.get(endpoint.projectId)?.endpoints.push(endpoint);
    for (const subscription of subscriptions)
      tables.get(subscription.projectId)?.subscriptions.push(subscription);
    for (const [id, table] of tables) {
      table.httpSourceIds = new Set(
        httpSources.filter((source) => source.projectId === id).map((source) => source.id),
      );
    }
    return tables;
  }
}
