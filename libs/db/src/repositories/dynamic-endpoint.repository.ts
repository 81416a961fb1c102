import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma.service';
import type { Endpoint, EndpointSecret, Subscription } from '../records';

export interface DynamicEndpointRequest {
  projectId: string;
  /** Already validated and normalised: the same URL always finds the same endpoint. */
  url: string;
  /** Used only when the endpoint is made. */
  newEndpointId: string;
  newSecret: EndpointSecret;
  newSubscriptionId: string;
  /** Given: the endpoint's subscription takes exactly these. Absent: `["*"]` for a new one. */
  eventTypes: string[] | undefined;
}

export interface DynamicEndpoint {
  endpoint: Endpoint;
  subscription: Subscription;
  created: boolean;
}

/**
 * Convoy's dynamic events: the endpoint is named by its URL. Find-or-create runs under a
 * transaction-scoped advisory lock on (project, url), so two concurrent first calls make one
 * endpoint, and endpoint and subscription appear together (the route stage never sees the endpoint
 * without its subscription, which would route every event type to it).
 */
@Injectable()
export class DynamicEndpointRepository {
  constructor(private readonly prisma: PrismaService) {}

  findOrCreate(request: DynamicEndpointRequest): Promise<DynamicEndpoint> {
    const { projectId, url } = request;
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`dynamic-endpoint/${projectId}/${url}`}, 7))`;
      // The oldest endpoint with this URL: stable whatever else is made later with the same URL.
      const existing = await tx.endpoint.findFirst({
        where: { projectId, url, deletedAt: null },
        orderBy: { id: 'asc' },
      });
      if (!existing) {
        const endpoint = await tx.endpoint.create({
          data: {
            id: request.newEndpointId,
            projectId,
            name: url,
            url,
            secrets: [secretJson(request.newSecret)],
          },
        });
        const subscription = await tx.subscription.create({
          data: {
            id: request.newSubscriptionId,
            projectId,
            name: `${url} (dynamic)`,
            endpointId: endpoint.id,
            eventTypes: request.eventTypes ?? ['*'],
          },
        });
        return { endpoint, subscription, created: true };
      }
      const current = await tx.subscription.findFirst({
        where: { projectId, endpointId: existing.id, deletedAt: null },
        orderBy: { id: 'asc' },
      });
      let subscription: Subscription;
      if (!current) {
        subscription = await tx.subscription.create({
          data: {
            id: request.newSubscriptionId,
            projectId,
            name: `${url} (dynamic)`,
            endpointId: existing.id,
            eventTypes: request.eventTypes ?? ['*'],
          },
        });
      } else if (request.eventTypes && !sameSet(current.eventTypes, request.eventTypes)) {
        subscription = await tx.subscription.update({
          where: { id: current.id },
          data: { eventTypes: request.eventTypes },
        });
      } else {
        subscription = current;
      }
      return { endpoint: existing, subscription, created: false };
    });
  }
}

/** The secret as a JSON object literal (an interface has no index signature for Prisma's Json type). */
function secretJson(secret: EndpointSecret): Record<string, string | null> {
  return {
    uid: secret.uid,
    value: secret.value,
    created_at: secret.created_at,
    expires_at: secret.expires_at,
  };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((value) => right.has(value));
}
