import { z } from 'zod';

/**
 * Where an incoming webhook carries the sender's own delivery id, as Convoy's source
 * `idempotency_keys` name it: `request.header.<Name>`, `request.query.<name>` or
 * `request.body.<path.in.json>` (Convoy's `req.`, `Header`, `QueryParam` and `Body` spellings are
 * taken too). A replayed request with the same values becomes a duplicate event, which gets no
 * deliveries.
 */
export interface IdempotencyKeyLocation {
  in: 'header' | 'query' | 'body';
  /** One name for a header or query parameter; the keys from the JSON body's root for `body`. */
  path: readonly string[];
}

const PARTS: Readonly<Record<string, IdempotencyKeyLocation['in']>> = {
  header: 'header',
  Header: 'header',
  query: 'query',
  QueryParam: 'query',
  body: 'body',
  Body: 'body',
};

export const MAX_IDEMPOTENCY_KEYS = 10;

/** The location a Convoy-style string names, or the reason it names none. */
export function parseIdempotencyKeyLocation(
  text: string,
): { ok: true; location: IdempotencyKeyLocation } | { ok: false; reason: string } {
  const [root, part, ...path] = text.split('.');
  if (root !== 'request' && root !== 'req') {
    return { ok: false, reason: 'must start with request. (request.header.X-Delivery-Id)' };
  }
  const where = part === undefined ? undefined : PARTS[part];
  if (where === undefined) {
    return { ok: false, reason: 'must name request.header, request.query or request.body' };
  }
  if (path.length === 0 || path.some((name) => name === '')) {
    return { ok: false, reason: `must name what to read: request.${where}.<name>` };
  }
  if (where !== 'body' && path.length !== 1) {
    return { ok: false, reason: `a ${where} is one name: request.${where}.<name>` };
  }
  return { ok: true, location: { in: where, path } };
}

const locationText = z
  .string()
  .max(255)
  .superRefine((text, context) => {
    const parsed = parseIdempotencyKeyLocation(text);
    if (!parsed.ok) context.addIssue({ code: 'custom', message: parsed.reason });
  });

/** `idempotency_keys` on an http source; Convoy clients send null for none. */
export const idempotencyKeysSchema = z.preprocess(
  (value) => (value === null ? [] : value),
  z.array(locationText).max(MAX_IDEMPOTENCY_KEYS),
);
