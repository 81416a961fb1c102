import type { EventMessageV1 } from '@flotilla/contracts';
import type { RouteEndpoint, RouteSubscription, RoutingTable } from '@flotilla/db';
import { FilterSyntaxError, matchesSubscription } from '@flotilla/filters';

export interface RouteTarget {
  endpointId: string;
  subscriptionId: string | null;
}

/**
 * Which endpoints an event goes to: the named endpoint (single), the owner's endpoints (fan-out)
 * or every endpoint (broadcast), each through its subscriptions' event types and filters. One
 * delivery per endpoint, however many of its subscriptions match. An endpoint with no subscription
 * at all takes every event sent to it directly (Convoy gives it an implicit `*` subscription);
 * one whose subscriptions are all inactive takes none.
 */
export function routeTargets(event: EventMessageV1, table: RoutingTable): RouteTarget[] {
  let candidates: RouteEndpoint[];
  switch (event.target.kind) {
    case 'single': {
      const endpointId = event.target.endpoint_id;
      candidates = table.endpoints.filter((endpoint) => endpoint.id === endpointId);
      break;
    }
    case 'fanout': {
      const ownerId = event.target.owner_id;
      candidates = table.endpoints.filter((endpoint) => endpoint.ownerId === ownerId);
      break;
    }
    case 'broadcast':
      candidates = table.endpoints;
      break;
  }
  const byEndpoint = new Map<string, RouteSubscription[]>();
  for (const subscription of table.subscriptions) {
    const list = byEndpoint.get(subscription.endpointId) ?? [];
    list.push(subscription);
    byEndpoint.set(subscription.endpointId, list);
  }
  // Incoming webhooks (Convoy's incoming projects): an http source's events go only to the
  // subscriptions naming that source, and those subscriptions take no other events.
  const httpSources = table.httpSourceIds;
  const fromHttpSource =
    event.source_id !== undefined &&
    (event.from_http_source === true || httpSources?.has(event.source_id) === true);
  const takes = (subscription: RouteSubscription): boolean =>
    fromHttpSource
      ? subscription.sourceId === event.source_id
      : subscription.sourceId === null || httpSources?.has(subscription.sourceId) !== true;
  let body: unknown;
  let parsed = false;
  const lazyBody = (): unknown => {
    if (!parsed) {
      body = JSON.parse(event.data);
      parsed = true;
    }
    return body;
  };
  const targets: RouteTarget[] = [];
  for (const endpoint of candidates) {
    if (endpoint.status === 'inactive') continue;
    const subscriptions = byEndpoint.get(endpoint.id) ?? [];
    if (subscriptions.length === 0) {
      if (event.target.kind !== 'broadcast')
        targets.push({ endpointId: endpoint.id, subscriptionId: null });
      continue;
    }
    // A toggled-off subscription routes nothing; its endpoint does not fall back to the implicit `*`.
    const match = subscriptions.find(
      (subscription) =>
        subscription.status === 'active' &&
        takes(subscription) &&
        safeMatches(
          {
            eventTypes: subscription.eventTypes,
            headersFilter: subscription.filterHeaders,
            bodyFilter: subscription.filterBody,
          },
          {
            eventType: event.event_type,
            headers: event.custom_headers,
            body: isEmpty(subscription.filterBody) ? undefined : lazyBody(),
          },
        ),
    );
    if (match) targets.push({ endpointId: endpoint.id, subscriptionId: match.id });
  }
  return targets;
}

function isEmpty(filter: unknown): boolean {
  return filter === null || (typeof filter === 'object' && Object.keys(filter).length === 0);
}

/**
 * Filters are validated when saved; one that still cannot run (saved by an older version) must not
 * fail the whole batch forever, so it simply matches nothing.
 */
function safeMatches(...args: Parameters<typeof matchesSubscription>): boolean {
  try {
    return matchesSubscription(...args);
  } catch (error) {
    if (error instanceof FilterSyntaxError) return false;
    throw error;
  }
}
