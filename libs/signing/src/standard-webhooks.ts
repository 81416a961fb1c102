import {
  assertTolerance,
  assertUnixSeconds,
  hmac,
  nowSeconds,
  parseTimestamp,
  safeEqual,
  toSecretList,
  type WebhookBody,
} from './crypto-utils';
import { SignatureVerificationError } from './errors';
import { readHeader, type HeaderSource } from './headers';
import { decodeStandardSecret } from './secrets';
import {
  ed25519PrivateKey,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  isEd25519PublicKey,
  isEd25519SecretKey,
} from './ed25519';

/** Receivers' reference libraries use ±5 minutes. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

// A type alias (not an interface) so it is assignable to header records with an index signature.
export type StandardWebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export interface SignStandardWebhookInput {
  /** Message id; the receiver's dedupe key, so the same on every retry. */
  id: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  /** The exact bytes that will be sent. */
  body: WebhookBody;
  /**
   * Every live secret: during rotation both old and new sign, so either verifies. A `whsec_`
   * secret signs `v1` (HMAC-SHA256), a `whsk_` ed25519 secret key signs `v1a`.
   */
  secrets: readonly string[];
}

/**
 * Standard Webhooks headers: one signature per secret, space separated: `v1,<base64 HMAC-SHA256>`
 * for a `whsec_` secret, `v1a,<base64 ed25519>` for a `whsk_` one.
 */
export function signStandardWebhook(input: SignStandardWebhookInput): StandardWebhookHeaders {
  const { id, timestamp, body, secrets } = input;
  if (id.length === 0) throw new TypeError('webhook id must not be empty');
  assertUnixSeconds(timestamp, 'timestamp');
  const signatures = toSecretList(secrets).map((secret) =>
    isEd25519SecretKey(secret)
      ? `v1a,${ed25519Sign(ed25519PrivateKey(secret), signedContent(id, timestamp, body))}`
      : `v1,${sign(decodeStandardSecret(secret), id, timestamp, body)}`,
  );
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signatures.join(' '),
  };
}

export interface VerifyStandardWebhookInput {
  headers: HeaderSource;
  /** The raw body bytes as received (not re-serialised JSON). */
  body: WebhookBody;
  /**
   * The endpoint secret (`whsec_`, checks `v1`) or public key (`whpk_`, checks `v1a`); pass several
   * while the receiver itself is rotating.
   */
  secret: string | readonly string[];
  toleranceSeconds?: number;
  /** Current time in unix seconds (for tests); defaults to the clock. */
  now?: number;
}

export interface VerifiedStandardWebhook {
  id: string;
  timestamp: number;
}

/**
 * Verifies a Standard Webhooks request; throws SignatureVerificationError when it is not authentic
 * or too old/new. `whsec_` secrets accept `v1` signatures, `whpk_` public keys `v1a` ones; other
 * versions are ignored.
 */
export function verifyStandardWebhook(input: VerifyStandardWebhookInput): VerifiedStandardWebhook {
  const { headers, body, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS, now = nowSeconds() } = input;
  assertTolerance(toleranceSeconds);
  const given = toSecretList(input.secret);
  const keys = given.filter((secret) => !isEd25519PublicKey(secret)).map(decodeStandardSecret);
  const publicKeys = given.filter(isEd25519PublicKey).map(ed25519PublicKey);

  const id = readHeader(headers, 'webhook-id');
  const rawTimestamp = readHeader(headers, 'webhook-timestamp');
  const signatureHeader = readHeader(headers, 'webhook-signature');
  if (!id || !rawTimestamp || !signatureHeader) {
    const present = {
      'webhook-id': id,
      'webhook-timestamp': rawTimestamp,
      'webhook-signature': signatureHeader,
    };
    const missing = Object.keys(present).filter((name) => !present[name as keyof typeof present]);
    throw new SignatureVerificationError(
      'missing_header',
      `missing header(s): ${missing.join(', ')}`,
    );
  }

  const timestamp = parseTimestamp(rawTimestamp);
  if (timestamp === undefined) {
    throw new SignatureVerificationError('malformed', 'webhook-timestamp is not unix seconds');
  }
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    throw new SignatureVerificationError(
      'timestamp_out_of_tolerance',
      `webhook-timestamp is ${now - timestamp}s from now (tolerance ${toleranceSeconds}s)`,
    );
  }

  const candidates = parseSignatureHeader(signatureHeader);
  const expected = keys.map((key) => sign(key, id, timestamp, body));
  // Check every pair rather than returning early per secret: the cost is tiny and uniform.
  let matched = false;
  const content = signedContent(id, timestamp, body);
  for (const candidate of candidates) {
    if (candidate.version === 'v1') {
      for (const signature of expected)
        matched = safeEqual(candidate.signature, signature) || matched;
    } else if (candidate.version === 'v1a') {
      // Public-key verification leaks nothing about a secret, so no constant-time concern here.
      for (const key of publicKeys)
        matched = ed25519Verify(key, content, candidate.signature) || matched;
    }
  }
  if (!matched) {
    throw new SignatureVerificationError(
      'no_matching_signature',
      'no matching v1 or v1a signature',
    );
  }
  return { id, timestamp };
}

/** `"<id>.<timestamp>.<body>"`, kept in parts so a Buffer body is never re-encoded. */
function signedContent(id: string, timestamp: number, body: WebhookBody): WebhookBody[] {
  return [`${id}.${String(timestamp)}.`, body];
}

function sign(key: Buffer, id: string, timestamp: number, body: WebhookBody): string {
  return hmac('sha256', key, signedContent(id, timestamp, body)).toString('base64');
}

function parseSignatureHeader(header: string): { version: string; signature: string }[] {
  const entries = header
    .split(/\s+/)
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const comma = entry.indexOf(',');
      return { version: entry.slice(0, comma), signature: entry.slice(comma + 1), ok: comma > 0 };
    })
    .filter((entry) => entry.ok && entry.signature.length > 0);
  if (entries.length === 0) {
    throw new SignatureVerificationError(
      'malformed',
      'webhook-signature has no "<version>,<signature>" entries',
    );
  }
  return entries.map(({ version, signature }) => ({ version, signature }));
}
