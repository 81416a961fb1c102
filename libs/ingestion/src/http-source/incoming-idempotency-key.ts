import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { IdempotencyKeyLocation } from '@flotilla/contracts';

/** What an incoming request offers to read a delivery id from. */
export interface IncomingRequestParts {
  headers: IncomingHttpHeaders;
  query: URLSearchParams;
  body: Buffer;
}

/**
 * The idempotency key of an incoming request: a digest of the source and the values at its
 * `idempotency_keys` locations, so a replay of the same delivery (same values) is stored as a
 * duplicate event and delivered to nobody. Undefined when the source names no location, or the
 * request carries none of them: requests without a delivery id are not replays of one another.
 */
export function incomingIdempotencyKey(
  sourceId: string,
  locations: readonly IdempotencyKeyLocation[],
  request: IncomingRequestParts,
): string | undefined {
  if (locations.length === 0) return undefined;
  let json: unknown;
  let parsed = false;
  const values = locations.map((location) => {
    switch (location.in) {
      case 'header':
        return headerText(request.headers, location.path[0] ?? '');
      case 'query':
        return request.query.get(location.path[0] ?? '') ?? '';
      case 'body':
        if (!parsed) {
          json = parseJson(request.body);
          parsed = true;
        }
        return valueText(at(json, location.path));
    }
  });
  if (values.every((value) => value === '')) return undefined;
  // NUL cannot occur in a header value and keeps ("ab", "c") apart from ("a", "bc").
  return createHash('sha256')
    .update([sourceId, ...values].join('\u0000'))
    .digest('hex');
}

function headerText(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name.toLowerCase()];
  return (Array.isArray(value) ? value.join(', ') : (value ?? '')).trim();
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    // Own keys only: `__proto__` or `constructor` in a path must not reach the prototype.
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
