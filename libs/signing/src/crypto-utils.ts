import { createHmac, timingSafeEqual } from 'node:crypto';

/** A payload exactly as sent on the wire; Buffer is a Uint8Array. */
export type WebhookBody = string | Uint8Array;

/** HMAC over the concatenation of `parts`, hashing bytes so a Buffer body is never re-encoded. */
export function hmac(
  algorithm: 'sha256' | 'sha512',
  key: Uint8Array | string,
  parts: readonly WebhookBody[],
): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant-time string equality; the length check only leaks the (public) signature length. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whole unix seconds; a non-integer or negative timestamp is a caller bug. */
export function assertUnixSeconds(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(
      `${what} must be a non-negative integer of unix seconds, got ${String(value)}`,
    );
  }
}

export function assertTolerance(value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`toleranceSeconds must be a non-negative number, got ${String(value)}`);
  }
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

export function toSecretList(secret: string | readonly string[]): readonly string[] {
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new TypeError('at least one secret is required');
  return secrets;
}

/** Strict unix-seconds header value: digits only (parseInt would accept "12abc"). */
export function parseTimestamp(value: string): number | undefined {
  if (!/^\d{1,15}$/.test(value)) return undefined;
  return Number(value);
}
