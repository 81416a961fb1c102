import { compileFilter, compileHeadersFilter, type CompiledFilter } from './compile-filter';
import { matchesEventType } from './event-type';
import { FilterSyntaxError } from './filter-syntax-error';
import { LruCache } from './lru-cache';

export interface SubscriptionFilter {
  /** Convoy's `event_types`; missing or empty means `["*"]`, Convoy's default. */
  readonly eventTypes?: readonly string[] | null;
  readonly headersFilter?: unknown;
  readonly bodyFilter?: unknown;
}

export interface FilterableEvent {
  readonly eventType: string;
  /** Header name to a string or a list of strings. */
  readonly headers?: unknown;
  /** The parsed JSON body; never read when the body filter is empty. */
  readonly body?: unknown;
}

export const FILTER_CACHE_SIZE = 1000;

type Entry = { readonly filter: CompiledFilter } | { readonly error: FilterSyntaxError };
type Kind = 'body' | 'headers';

const byJson = new LruCache<string, Entry>(FILTER_CACHE_SIZE);
// In front of the JSON-keyed LRU: the routing table hands us the same filter objects for every
// event, so most look-ups skip JSON.stringify too. Filters must not be mutated once passed in.
const byIdentity: Record<Kind, WeakMap<object, Entry>> = {
  body: new WeakMap(),
  headers: new WeakMap(),
};

function compiled(kind: Kind, filter: unknown): CompiledFilter {
  const weak = typeof filter === 'object' && filter !== null ? byIdentity[kind] : undefined;
  let entry = weak?.get(filter as object);
  if (entry === undefined) {
    const key = `${kind}:${JSON.stringify(filter)}`;
    entry = byJson.get(key);
    if (entry === undefined) {
      try {
        entry = { filter: kind === 'body' ? compileFilter(filter) : compileHeadersFilter(filter) };
      } catch (error) {
        if (!(error instanceof FilterSyntaxError)) throw error;
        entry = { error };
      }
      byJson.set(key, entry);
    }
    weak?.set(filter as object, entry);
  }
  if ('error' in entry) throw entry.error;
  return entry.filter;
}

/**
 * Whether an event passes a subscription: its event type is selected, then the headers filter,
 * then the body filter. Compiled filters are cached, so stored filters cost one compile.
 * Throws FilterSyntaxError for an invalid filter: validate with compileFilter when it is written.
 */
export function matchesSubscription(
  subscription: SubscriptionFilter,
  event: FilterableEvent,
): boolean {
  const { eventTypes, headersFilter, bodyFilter } = subscription;
  if (eventTypes != null && eventTypes.length > 0 && !matchesEventType(eventTypes, event.eventType))
    return false;
  if (headersFilter != null) {
    const filter = compiled('headers', headersFilter);
    if (!filter.matchesEverything && !filter.matches(event.headers ?? {})) return false;
  }
  if (bodyFilter != null) {
    const filter = compiled('body', bodyFilter);
    if (!filter.matchesEverything && !filter.matches(event.body)) return false;
  }
  return true;
}

/** Drops every cached compiled filter (tests, or after a deploy changes semantics). */
export function clearFilterCache(): void {
  byJson.clear();
  byIdentity.body = new WeakMap();
  byIdentity.headers = new WeakMap();
}
