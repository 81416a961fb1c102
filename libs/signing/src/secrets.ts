import { randomBytes } from 'node:crypto';

export const STANDARD_SECRET_PREFIX = 'whsec_';
/** Bytes of entropy in a generated secret (the spec allows 24–64). */
export const STANDARD_SECRET_BYTES = 32;

/** A new Standard Webhooks secret: `whsec_<base64 of 32 random bytes>`. */
export function generateStandardSecret(): string {
  return `${STANDARD_SECRET_PREFIX}${randomBytes(STANDARD_SECRET_BYTES).toString('base64')}`;
}

// Node's base64 decoder silently skips junk, so validate first: a typo must not become a weaker key.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * The HMAC key bytes of a Standard Webhooks secret, with or without the `whsec_` prefix.
 * Throws TypeError for anything that is not non-empty standard base64.
 */
export function decodeStandardSecret(secret: string): Buffer {
  const encoded = secret.startsWith(STANDARD_SECRET_PREFIX)
    ? secret.slice(STANDARD_SECRET_PREFIX.length)
    : secret;
  if (!BASE64.test(encoded) || encoded.length % 4 === 1) {
    throw new TypeError('Standard Webhooks secret must be whsec_<base64>');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) throw new TypeError('Standard Webhooks secret is empty');
  return key;
}
