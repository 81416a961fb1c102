import { Injectable } from '@nestjs/common';
import {
  derivedId,
  UUID_PATTERN,
  type DeliveryMessageV1,
  type EventMessageV1,
} from '@flotilla/contracts';
import {
  DeliveryRepository,
  EventRepository,
  type NewDelivery,
  type NewEvent,
  type RouteEndpoint,
  type RoutingTable,
} from '@flotilla/db';
import { MetricsRegistry } from '@flotilla/observability';
import { LocalHandOff, localLeaseMs } from '../dispatch/local-hand-off';
import { endpointIndex } from './endpoint-index';
import { ROUTING_CACHE_TTL_MS, RoutingCache } from './routing-cache';
import { routeTargets } from './route-targets';

/**
 * If a delivery has not been attempted this long after it was made (its Kafka message lost), the
 * scheduler enqueues it again. Long enough not to duplicate work during a normal backlog.
 */
export const DELIVERY_SAFETY_LEASE_MS = 5 * 60 * 1000;

/**
 * The route stage: persist a batch of accepted events, decide their deliveries, persist those, and
 * hand them to the deliver stage (in this process where it owns the endpoint, local-hand-off.ts;
 * else through the deliveries topic), all set-based. Ids are deterministic, so a batch replayed after a
 * crash inserts nothing twice and re-sends only delivery messages (which the deliver stage skips
 * when already done).
 */
@Injectable()
export class RouteService {
  private readonly routed;

  constructor(
    private readonly events: EventRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly routing: RoutingCache,
    private readonly handOff: LocalHandOff,
    metrics: MetricsRegistry,
  ) {
    this.routed = metrics.counter(
      'flotilla_events_routed_total',
      'Events persisted and fanned out by the dispatcher',
    );
  }

  async route(messages: readonly EventMessageV1[]): Promise<{ deliveries: number }> {
    if (messages.length === 0) return { deliveries: 0 };
    const projectIds = messages.map((message) => message.project_id);
    let tables = await this.routing.get(projectIds);
    const recent = recentUnaddressable(messages, tables);
    if (recent.size > 0) tables = await this.routing.get(projectIds, recent);
    const now = Date.now();
    const newEvents = messages.map(toEventRow);
    // Events first: a repeated idempotency key makes an event a duplicate, which gets no deliveries.
    const { duplicateIds } = await this.events.insertMany(newEvents);
    const newDeliveries: NewDelivery[] = [];
    const outgoing: DeliveryMessageV1[] = [];
    for (const message of messages) {
      const table = tables.get(message.project_id);
      if (!table || duplicateIds.has(message.event_id)) continue;
      for (const target of routeTargets(message, table)) {
        const id = derivedId(message.event_id, target.endpointId);
        newDeliveries.push({
          id,
          projectId: message.project_id,
          eventId: message.event_id,
          endpointId: target.endpointId,
          subscriptionId: target.subscriptionId,
          eventType: message.event_type,
          nextAttemptAt: new Date(now + DELIVERY_SAFETY_LEASE_MS),
        });
        outgoing.push({
          v: 1,
          delivery_id: id,
          event_id: message.event_id,
          endpoint_id: target.endpointId,
          project_id: message.project_id,
          origin: 'route',
        });
      }
    }
    const endpointOf = (projectId: string, endpointId: string): RouteEndpoint | undefined => {
      const table = tables.get(projectId);
      return table ? endpointIndex(table).get(endpointId) : undefined;
    };
    const ordered = new Set(
      outgoing
        .filter((delivery) => endpointOf(delivery.project_id, delivery.endpoint_id)?.ordered)
        .map((delivery) => delivery.endpoint_id),
    );
    const split = this.handOff.split(outgoing, ordered);
    // Sent in this process: if it dies first, the scheduler retries them after a short lease.
    const local = new Set(split.local.map((delivery) => delivery.delivery_id));
    for (const delivery of newDeliveries) {
      if (!local.has(delivery.id)) continue;
      const timeout =
        endpointOf(delivery.projectId, delivery.endpointId)?.httpTimeoutSeconds ?? 300;
      delivery.nextAttemptAt = new Date(now + localLeaseMs(timeout));
    }
    await this.deliveries.insertMany(newDeliveries);
    await this.handOff.handOn(split);
    this.routed.inc(messages.length);
    return { deliveries: outgoing.length };
  }
}

/**
 * Projects whose cached table may predate the endpoints a just-accepted event is addressed to (an
 * endpoint made right before, as a dynamic event does, or an owner's first endpoints before a
 * fan-out): each maps to the time its table must be loaded after. Only events the cached table
 * cannot address at all count, so steady traffic reloads nothing. The TTL's worth of margin
 * absorbs clock skew between ingest-api and the dispatcher; an old event whose endpoints are gone
 * reloads nothing.
 */
export function recentUnaddressable(
  messages: readonly EventMessageV1[],
  tables: ReadonlyMap<string, RoutingTable>,
): Map<string, number> {
  const since = new Map<string, number>();
  for (const message of messages) {
    if (addressable(message, tables.get(message.project_id))) continue;
    const mustLoadAfter = Date.parse(message.accepted_at) + ROUTING_CACHE_TTL_MS;
    since.set(message.project_id, Math.max(since.get(message.project_id) ?? 0, mustLoadAfter));
  }
  return since;
}

function addressable(message: EventMessageV1, table: RoutingTable | undefined): boolean {
  const { target } = message;
  // An incoming webhook needs its source in the table: one made a moment ago is not there yet.
  if (message.from_http_source && message.source_id !== undefined) {
    return table?.httpSourceIds?.has(message.source_id) === true;
  }
  const endpoints = table?.endpoints ?? [];
  switch (target.kind) {
    case 'single':
      return endpoints.some((endpoint) => endpoint.id === target.endpoint_id);
    case 'fanout':
      return endpoints.some((endpoint) => endpoint.ownerId === target.owner_id);
    case 'broadcast':
      return endpoints.length > 0;
  }
}

function toEventRow(message: EventMessageV1): NewEvent {
  const target = message.target;
  return {
    id: message.event_id,
    projectId: message.project_id,
    eventType: message.event_type,
    rawData: message.data,
    headers: message.custom_headers,
    targetKind: target.kind,
    // Ids that are not UUIDs cannot name a row; they stay in the message, not in a uuid column.
    endpointId:
      target.kind === 'single' && UUID_PATTERN.test(target.endpoint_id) ? target.endpoint_id : null,
    ownerId: target.kind === 'fanout' ? target.owner_id : null,
    idempotencyKey: message.idempotency_key ?? null,
    sourceId: message.source_id && UUID_PATTERN.test(message.source_id) ? message.source_id : null,
    brokerMessageId: message.broker_message_id ?? null,
    acceptedAt: new Date(message.accepted_at),
  };
}
