import { z } from 'zod';

export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema),
    z.record(z.string(), jsonValueSchema),
  ]),
);

/** Header names are tokens (RFC 9110); values must not carry line breaks or NUL (unstorable). */
export const headerMapSchema = z.record(
  z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a valid HTTP header name'),
  z
    .string()
    .regex(/^[^\r\n\0]*$/, 'must not contain line breaks or NUL characters')
    .max(4096),
);

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Tab, visible ASCII and Latin-1: what an HTTP/1.1 client can send as a header value. */
const SENDABLE_HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Framing and connection headers the HTTP client sets itself; a custom one breaks every attempt. */
const UNSENDABLE_HEADER_NAMES = new Set([
  'content-length',
  'transfer-encoding',
  'expect',
  'upgrade',
  'connection',
  'host',
  'keep-alive',
  'te',
  'trailer',
]);

/** Why a header can never go out on a delivery, or undefined when it can. */
export function unsendableHeaderReason(name: string, value?: string): string | undefined {
  if (!HEADER_NAME.test(name)) return 'must be a valid HTTP header name';
  const lower = name.toLowerCase();
  if (UNSENDABLE_HEADER_NAMES.has(lower) || lower.startsWith('proxy-'))
    return `${name} is set by the HTTP client and cannot be a custom header`;
  if (value !== undefined && !SENDABLE_HEADER_VALUE.test(value))
    return 'must contain only tab, printable ASCII and Latin-1 characters (no control characters)';
  return undefined;
}

/**
 * Custom headers a tenant asks Flotilla to send (an endpoint's or an event's): checked when saved,
 * so a header that can never be sent is a 400 naming it, not failed deliveries burning retries.
 */
export const sendableHeaderMapSchema = z
  .record(z.string(), z.string().max(4096))
  .superRefine((headers, ctx) => {
    for (const [name, value] of Object.entries(headers)) {
      const reason = unsendableHeaderReason(name, value);
      if (reason) ctx.addIssue({ code: 'custom', path: [name], message: reason });
    }
  });

/**
 * An event's custom headers as Convoy writes them (`{"x-a": "1"}`) or as it answers them, a list
 * per name (`{"x-a": ["1", "2"]}`, Go's http.Header). A list is sent as one header whose values
 * are joined by ", ", which HTTP defines as the same thing (RFC 9110 §5.3).
 */
export const eventHeaderMapSchema = z.preprocess(
  (value) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value).map(([name, item]) => [
            name,
            Array.isArray(item) && item.every((part) => typeof part === 'string')
              ? item.join(', ')
              : item,
          ]),
        )
      : value,
  sendableHeaderMapSchema,
);

/** Headers as Convoy answers them: a list of values per name (Go's http.Header). */
export const headerListsSchema = z.record(z.string(), z.array(z.string()));
export type HeaderLists = z.infer<typeof headerListsSchema>;

export function toHeaderLists(headers: Record<string, string | string[]>): HeaderLists {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value : [value]]),
  );
}

/** Header names whose values are credentials: never shown where Flotilla reports what it sent. */
const CREDENTIAL_HEADER_NAMES = new Set(['authorization', 'proxy-authorization', 'cookie']);
const CREDENTIAL_HEADER_WORDS = /key|token|secret|passw|signature|auth|session/i;

export function isCredentialHeader(name: string): boolean {
  return CREDENTIAL_HEADER_NAMES.has(name.toLowerCase()) || CREDENTIAL_HEADER_WORDS.test(name);
}

export const MASKED_HEADER_VALUE = '[redacted]';

/** The headers with every credential-like value replaced by `[redacted]`. */
export function maskCredentialHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      isCredentialHeader(name) ? MASKED_HEADER_VALUE : value,
    ]),
  );
}

/**
 * How deep a request body's JSON may nest. Validating deeper values recursively (zod, filters)
 * would overflow the stack; no real payload comes near it.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * The path to the first object or array nested deeper than `maxDepth` (the body itself is level
 * 1), or undefined. Iterative, so any depth is safe to check.
 */
export function findTooDeepJson(
  value: unknown,
  maxDepth: number = MAX_JSON_DEPTH,
): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: current, path } = next;
    if (current === null || typeof current !== 'object') continue;
    if (path.length >= maxDepth) return path;
    if (Array.isArray(current)) {
      current.forEach((item: unknown, index) =>
        stack.push({ value: item, path: [...path, index] }),
      );
    } else {
      for (const [key, item] of Object.entries(current as Record<string, unknown>))
        stack.push({ value: item, path: [...path, key] });
    }
  }
  return undefined;
}

/** NUL, or half of a UTF-16 surrogate pair: text PostgreSQL cannot store (in text or jsonb). */
const UNSTORABLE_TEXT = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * The path to the first key or string PostgreSQL cannot store (see UNSTORABLE_TEXT), or
 * undefined; members named in `opaque` at the top level are not looked into (an event's `data`
 * is kept as the text that was sent, so any JSON string is fine there). Iterative, like
 * findTooDeepJson, which must have passed first.
 */
export function findUnstorableText(
  value: unknown,
  opaque: readonly string[] = [],
): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { value: current, path } = next;
    if (typeof current === 'string') {
      if (UNSTORABLE_TEXT.test(current)) return path;
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (Array.isArray(current)) {
      current.forEach((item: unknown, index) =>
        stack.push({ value: item, path: [...path, index] }),
      );
      continue;
    }
    for (const [key, item] of Object.entries(current as Record<string, unknown>)) {
      if (UNSTORABLE_TEXT.test(key)) return [...path, key];
      if (path.length === 0 && opaque.includes(key)) continue;
      stack.push({ value: item, path: [...path, key] });
    }
  }
  return undefined;
}
