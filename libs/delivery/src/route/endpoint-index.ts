import type { RouteEndpoint, RoutingTable } from '@flotilla/db';

const indexes = new WeakMap<RoutingTable, Map<string, RouteEndpoint>>();

/**
 * A routing table's endpoints by id, built once per loaded table (the routing cache keeps the same
 * table object until it reloads), so the route stage's per-delivery lookups cost no scan of every
 * endpoint of the project in every batch.
 */
export function endpointIndex(table: RoutingTable): ReadonlyMap<string, RouteEndpoint> {
  let index = indexes.get(table);
  if (!index) {
    index = new Map(table.endpoints.map((endpoint) => [endpoint.id, endpoint]));
    indexes.set(table, index);
  }
  return index;
}
