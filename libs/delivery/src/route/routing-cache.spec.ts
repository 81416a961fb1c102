import { newId, type EventMessageV1 } from '@flotilla/contracts';
import type { RoutingRepository, RoutingTable } from '@flotilla/db';
import { recentUnaddressable } from './route.service';
import { ROUTING_CACHE_TTL_MS, RoutingCache } from './routing-cache';

const projectId = newId();
const known = newId();

function message(
  endpointId: string,
  acceptedAt: number,
  target: EventMessageV1['target'] = { kind: 'single', endpoint_id: endpointId },
): EventMessageV1 {
  return {
    v: 1,
    event_id: newId(),
    project_id: projectId,
    target,
    event_type: 't',
    data: '{}',
    custom_headers: {},
    accepted_at: new Date(acceptedAt).toISOString(),
  };
}

/** Counts loads; every load returns the endpoints listed at that moment. */
class CountingRouting {
  loads = 0;
  endpoints = [known];
  load(ids: readonly string[]): Promise<Map<string, RoutingTable>> {
    this.loads += 1;
    const table: RoutingTable = {
      endpoints: this.endpoints.map((id) => ({
        id,
        projectId,
        ownerId: null,
        status: 'active' as const,
        ordered: false,
        httpTimeoutSeconds: 10,
      })),
      subscriptions: [],
    };
    return Promise.resolve(new Map(ids.map((id) => [id, table])));
  }
}

describe('routing an event to an endpoint made a moment ago', () => {
  it('asks for a table loaded after the event when its endpoint is missing, and only then', async () => {
    const routing = new CountingRouting();
    const cache = new RoutingCache(routing as unknown as RoutingRepository);
    const now = Date.now();
    const tables = await cache.get([projectId]);
    expect(recentUnaddressable([message(known, now)], tables).size).toBe(0);

    const fresh = newId();
    routing.endpoints = [known, fresh];
    const since = recentUnaddressable([message(fresh, now)], tables);
    expect(since.get(projectId)).toBe(now + ROUTING_CACHE_TTL_MS);
    const reloaded = await cache.get([projectId], since);
    expect(routing.loads).toBe(2);
    expect(reloaded.get(projectId)?.endpoints.map((endpoint) => endpoint.id)).toContain(fresh);
  });

  it('asks for a fresh table for a fan-out to an owner it has no endpoint of, or a broadcast to a project without endpoints', async () => {
    const routing = new CountingRouting();
    const cache = new RoutingCache(routing as unknown as RoutingRepository);
    const now = Date.now();
    const tables = await cache.get([projectId]);
    const fanout = message('', now, { kind: 'fanout', owner_id: 'new-owner' });
    expect(recentUnaddressable([fanout], tables).get(projectId)).toBe(now + ROUTING_CACHE_TTL_MS);
    const broadcast = message('', now, { kind: 'broadcast' });
    expect(recentUnaddressable([broadcast], tables).size).toBe(0);
    routing.endpoints = [];
    const empty = await cache.get([projectId], new Map([[projectId, now + ROUTING_CACHE_TTL_MS]]));
    expect(recentUnaddressable([broadcast], empty).get(projectId)).toBe(now + ROUTING_CACHE_TTL_MS);
  });

  it('asks for a fresh table for an incoming webhook of a source it does not know', async () => {
    const routing = new CountingRouting();
    const cache = new RoutingCache(routing as unknown as RoutingRepository);
    const now = Date.now();
    const tables = await cache.get([projectId]);
    const incoming = (sourceId: string): EventMessageV1 => ({
      ...message('', now, { kind: 'broadcast' }),
      source_id: sourceId,
      from_http_source: true,
    });
    const table = tables.get(projectId);
    if (table) table.httpSourceIds = new Set([known]);
    expect(recentUnaddressable([incoming(known)], tables).size).toBe(0);
    // The project has endpoints, so a plain broadcast would count as routable.
    expect(recentUnaddressable([incoming(newId())], tables).get(projectId)).toBe(
      now + ROUTING_CACHE_TTL_MS,
    );
  });

  it('reloads nothing for an old event whose endpoint is gone', async () => {
    const routing = new CountingRouting();
    const cache = new RoutingCache(routing as unknown as RoutingRepository);
    const tables = await cache.get([projectId]);
    const since = recentUnaddressable([message(newId(), Date.now() - 60_000)], tables);
    await cache.get([projectId], since);
    expect(routing.loads).toBe(1);
  });
});
