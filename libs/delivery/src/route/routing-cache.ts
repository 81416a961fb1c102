import { Injectable } from '@nestjs/common';
import { RoutingRepository, type RoutingTable } from '@flotilla/db';

/** How stale a project's subscriptions may be when routing: a change takes effect within this. */
export const ROUTING_CACHE_TTL_MS = 1000;

/** Subscriptions change rarely and are read for every event: one query per project per second. */
@Injectable()
export class RoutingCache {
  private readonly tables = new Map<string, { table: RoutingTable; loadedAt: number }>();

  constructor(private readonly routing: RoutingRepository) {}

  /**
   * `loadedSince`: projects whose table must have been loaded at or after a given time (ms), even if
   * younger than the TTL: an event naming an endpoint made a moment before it was accepted.
   */
  async get(
    projectIds: readonly string[],
    loadedSince?: ReadonlyMap<string, number>,
  ): Promise<Map<string, RoutingTable>> {
    const now = Date.now();
    const stale = [...new Set(projectIds)].filter((id) => {
      const entry = this.tables.get(id);
      return (
        !entry ||
        now - entry.loadedAt > ROUTING_CACHE_TTL_MS ||
        entry.loadedAt < (loadedSince?.get(id) ?? 0)
      );
    });
    if (stale.length > 0) {
      const loaded = await this.routing.load(stale);
      for (const [id, table] of loaded) this.tables.set(id, { table, loadedAt: now });
    }
    const result = new Map<string, RoutingTable>();
    for (const id of projectIds) {
      const entry = this.tables.get(id);
      if (entry) result.set(id, entry.table);
    }
    return result;
  }
}
