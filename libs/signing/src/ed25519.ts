import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import type { WebhookBody } from './crypto-utils';

/** Standard Webhooks asymmetric (`v1a`) keys: base64 of the raw 32-byte ed25519 seed / public key. */
export const ED25519_SECRET_KEY_PREFIX = 'whsk_';
export const ED25519_PUBLIC_KEY_PREFIX = 'whpk_';
const KEY_BYTES = 32;

// Node only imports raw ed25519 keys wrapped in DER; these are the fixed RFC 8410 headers before
// the 32 key bytes, so no ASN.1 parser is needed.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

// Node's base64 decoder silently skips junk: validate first, as for whsec_ secrets.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export interface Ed25519KeyPair {
  /** `whsk_…`: stays with the sender (kept with the endpoint's other secrets). */
  secretKey: string;
  /** `whpk_…`: what receivers verify with; safe to show. */
  publicKey: string;
}

/** A new ed25519 key pair in Standard Webhooks form. */
export function generateEd25519KeyPair(): Ed25519KeyPair {
  const { privateKey } = generateKeyPairSync('ed25519');
  const secretKey = `${ED25519_SECRET_KEY_PREFIX}${rawPrivate(privateKey).toString('base64')}`;
  return { secretKey, publicKey: ed25519PublicKeyOf(secretKey) };
}

export function isEd25519SecretKey(value: string): boolean {
  return value.startsWith(ED25519_SECRET_KEY_PREFIX);
}

export function isEd25519PublicKey(value: string): boolean {
  return value.startsWith(ED25519_PUBLIC_KEY_PREFIX);
}

/** The `whpk_` public key of a `whsk_` secret key; throws TypeError for a malformed one. */
export function ed25519PublicKeyOf(secretKey: string): string {
  const raw = createPublicKey(ed25519PrivateKey(secretKey))
    .export({ format: 'der', type: 'spki' })
    .subarray(SPKI_PREFIX.length);
  return `${ED25519_PUBLIC_KEY_PREFIX}${raw.toString('base64')}`;
}

// Importing a key costs OpenSSL about ten times what signing does (~0.8 ms against ~60 µs), and
// the dispatcher signs with the same few keys again and again; bounded so a churn of endpoints
// cannot grow it without limit.
const PRIVATE_KEY_CACHE_SIZE = 1024;
const privateKeys = new Map<string, KeyObject>();

/** Parses a `whsk_` secret key (32-byte seed); throws TypeError for anything else. */
export function ed25519PrivateKey(secretKey: string): KeyObject {
  const cached = privateKeys.get(secretKey);
  if (cached) return cached;
  const seed = decodeKey(secretKey, ED25519_SECRET_KEY_PREFIX);
  const key = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  // Maps iterate in insertion order: dropping the first entry drops the oldest.
  if (privateKeys.size >= PRIVATE_KEY_CACHE_SIZE) {
    const oldest = privateKeys.keys().next();
    if (!oldest.done) privateKeys.delete(oldest.value);
  }
  privateKeys.set(secretKey, key);
  return key;
}

/** Parses a `whpk_` public key (32 raw bytes); throws TypeError for anything else. */
export function ed25519PublicKey(publicKey: string): KeyObject {
  const raw = decodeKey(publicKey, ED25519_PUBLIC_KEY_PREFIX);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** The base64 ed25519 signature of `parts` concatenated (the same content v1 HMACs). */
export function ed25519Sign(key: KeyObject, parts: readonly WebhookBody[]): string {
  return sign(null, concat(parts), key).toString('base64');
}

/** Whether `signature` (base64) is `key`'s signature of `parts`; false for undecodable input. */
export function ed25519Verify(
  key: KeyObject,
  parts: readonly WebhookBody[],
  signature: string,
): boolean {
  if (!BASE64.test(signature)) return false;
  const bytes = Buffer.from(signature, 'base64');
  // ed25519 signatures are 64 bytes; anything else is not one (and verify would throw).
  return bytes.length === 64 && verify(null, concat(parts), key, bytes);
}

function decodeKey(value: string, prefix: string): Buffer {
  const encoded = value.startsWith(prefix) ? value.slice(prefix.length) : '';
  const bytes = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (bytes.length !== KEY_BYTES) {
    throw new TypeError(`ed25519 key must be ${prefix}<base64 of ${String(KEY_BYTES)} bytes>`);
  }
  return bytes;
}

function rawPrivate(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length);
}

// ed25519 signs one message in one pass (no streaming API), so the parts are joined once.
function concat(parts: readonly WebhookBody[]): Buffer {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
}
