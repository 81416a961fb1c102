import type { IncomingHttpHeaders } from 'node:http';
import { findTooDeepJson, MAX_JSON_DEPTH } from '@flotilla/contracts';
import { IngestError } from '../ingest-errors';

/** Never recorded: connection and framing headers, and credentials of any kind. */
const DROPPED = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'content-encoding',
  'authorization',
  'cookie',
]);
/** Headers Flotilla itself sets on deliveries: a sender must not be able to forge them. */
const RESERVED_PREFIXES = ['x-flotilla-', 'x-convoy-', 'webhook-'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_HEADER_VALUE = 4096;
const MAX_EVENT_TYPE = 255;

/**
 * The request headers kept on the event, for subscription header filters and forwarding to
 * endpoints: everything but framing, credentials (including the verifier's own header, given in
 * `excluded`) and headers Flotilla sets itself. Names are lower-case.
 */
export function recordedHeaders(
  headers: IncomingHttpHeaders,
  excluded: readonly string[],
): Record<string, string> {
  const skip = new Set(excluded.map((name) => name.toLowerCase()));
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (DROPPED.has(name) || skip.has(name) || !HEADER_NAME.test(name)) continue;
    if (RESERVED_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    if (text === undefined || text.length > MAX_HEADER_VALUE || /[\r\n]/.test(text)) continue;
    kept[name] = text;
  }
  return kept;
}

/**
 * An incoming body as event data (JSON text). A JSON body is kept byte for byte; anything else
 * (form posts, plain text, an empty body) becomes a JSON string of its UTF-8 text, so it can still
 * be stored, filtered and delivered.
 */
export function incomingEventData(body: Buffer): string {
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return JSON.stringify(text);
  }
  // As for the API's bodies: deeper JSON would overflow the stack of whatever walks it later
  // (the route stage's filters, the event log), so it is refused while the sender can be told.
  if (findTooDeepJson(parsed)) {
    throw new IngestError(
      'invalid_data',
      `the body is JSON nested more than ${String(MAX_JSON_DEPTH)} levels deep`,
      'body',
    );
  }
  return text;
}

/** The event type: the provider's event-type header when sent, otherwise the fallback. */
export function incomingEventType(
  headers: IncomingHttpHeaders,
  header: string | undefined,
  fallback: string,
): string {
  const value = header === undefined ? undefined : headers[header.toLowerCase()];
  const text = typeof value === 'string' ? value.trim() : '';
  return text !== '' && text.length <= MAX_EVENT_TYPE ? text : fallback.slice(0, MAX_EVENT_TYPE);
}
