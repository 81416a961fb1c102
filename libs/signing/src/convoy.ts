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
import { DEFAULT_TOLERANCE_SECONDS } from './standard-webhooks';

export type ConvoyHash = 'SHA256' | 'SHA512';
export type ConvoyEncoding = 'hex' | 'base64';
/** One entry of a project's `signature.versions`; `vN` in an advanced header is the N-th entry. */
export interface ConvoySignatureVersion {
  hash: ConvoyHash;
  encoding: ConvoyEncoding;
}

export interface SignConvoyInput {
  body: WebhookBody;
  /** Unix seconds; only advanced signatures carry it. */
  timestamp: number;
  /** Live secrets (plain strings, used as utf8 HMAC keys), newest last. */
  secrets: readonly string[];
  versions: readonly ConvoySignatureVersion[];
  advanced: boolean;
}

/**
 * The Convoy signature header value.
 * - simple: HMAC(newest secret, body) with the last version's hash and encoding;
 * - advanced: `t=<unix>,v1=<sig>[,v1=<sig>…],v2=…`, one sig per version per live secret (in the
 *   order given), each HMAC(secret, "<t>,<body>").
 */
export function signConvoy(input: SignConvoyInput): string {
  const { body, timestamp, advanced } = input;
  assertUnixSeconds(timestamp, 'timestamp');
  const secrets = toConvoySecrets(input.secrets);
  const versions = toVersions(input.versions);
  if (!advanced) return digest(lastOf(versions), lastOf(secrets), [body]);
  const parts = [`t=${timestamp}`];
  versions.forEach((version, index) => {
    for (const secret of secrets) {
      parts.push(`v${index + 1}=${digest(version, secret, [`${timestamp},`, body])}`);
    }
  });
  return parts.join(',');
}

export interface VerifyConvoyInput {
  /** The signature header value as received. */
  header: string | null | undefined;
  body: WebhookBody;
  /** The secret(s) the receiver holds; any one matching is enough. */
  secret: string | readonly string[];
  versions: readonly ConvoySignatureVersion[];
  advanced: boolean;
  /** Advanced only (simple signatures carry no timestamp). Default 300. */
  toleranceSeconds?: number;
  /** Current time in unix seconds (for tests); defaults to the clock. */
  now?: number;
}

export interface VerifiedConvoyWebhook {
  /** The signed timestamp of an advanced signature; null for simple ones. */
  timestamp: number | null;
}

/**
 * Verifies a Convoy signature, accepting any `vN` entry that matches any held secret (so a receiver
 * holding either the old or the new secret verifies during rotation). Unknown `vN` (N beyond the
 * receiver's versions) are ignored. Simple signatures have no timestamp: they cannot stop replays.
 */
export function verifyConvoy(input: VerifyConvoyInput): VerifiedConvoyWebhook {
  const { header, body, advanced, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = input;
  const { now = nowSeconds() } = input;
  assertTolerance(toleranceSeconds);
  const secrets = toConvoySecrets(toSecretList(input.secret));
  const versions = toVersions(input.versions);
  const value = header?.trim();
  if (!value) throw new SignatureVerificationError('missing_header', 'missing signature header');

  if (!advanced) {
    const version = lastOf(versions);
    const received = version.encoding === 'hex' ? value.toLowerCase() : value;
    let matched = false;
    for (const secret of secrets) {
      matched = safeEqual(received, digest(version, secret, [body])) || matched;
    }
    if (!matched)
      throw new SignatureVerificationError('no_matching_signature', 'signature mismatch');
    return { timestamp: null };
  }

  const { timestamp, signatures } = parseAdvancedHeader(value);
  if (Math.abs(now - timestamp) > toleranceSeconds) {
    throw new SignatureVerificationError(
      'timestamp_out_of_tolerance',
      `signature timestamp is ${now - timestamp}s from now (tolerance ${toleranceSeconds}s)`,
    );
  }
  let matched = false;
  for (const { versionNumber, signature } of signatures) {
    const version = versions[versionNumber - 1];
    if (!version) continue;
    const received = version.encoding === 'hex' ? signature.toLowerCase() : signature;
    for (const secret of secrets) {
      const expected = digest(version, secret, [`${timestamp},`, body]);
      matched = safeEqual(received, expected) || matched;
    }
  }
  if (!matched) {
    throw new SignatureVerificationError('no_matching_signature', 'no matching signature');
  }
  return { timestamp };
}

function parseAdvancedHeader(value: string): {
  timestamp: number;
  signatures: { versionNumber: number; signature: string }[];
} {
  const timestamps: string[] = [];
  const signatures: { versionNumber: number; signature: string }[] = [];
  for (const part of value.split(',')) {
    // Split on the first '=' only: base64 signatures end in '=' padding.
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    const signature = part.slice(eq + 1).trim();
    if (key === 't') timestamps.push(signature);
    const version = /^v([1-9]\d{0,2})$/.exec(key);
    if (version?.[1] && signature)
      signatures.push({ versionNumber: Number(version[1]), signature });
  }
  const [rawTimestamp] = timestamps;
  const timestamp =
    timestamps.length === 1 && rawTimestamp ? parseTimestamp(rawTimestamp) : undefined;
  if (timestamp === undefined) {
    throw new SignatureVerificationError(
      'malformed',
      'advanced signature needs exactly one t=<unix>',
    );
  }
  if (signatures.length === 0) {
    throw new SignatureVerificationError('malformed', 'advanced signature has no vN=<sig> entries');
  }
  return { timestamp, signatures };
}

function digest(version: ConvoySignatureVersion, secret: string, parts: readonly WebhookBody[]) {
  return hmac(algorithmOf(version.hash), Buffer.from(secret, 'utf8'), parts).toString(
    encodingOf(version.encoding),
  );
}

// Versions usually come from JSON config, so re-check values the type system already promises.
function algorithmOf(hash: ConvoyHash): 'sha256' | 'sha512' {
  switch (hash) {
    case 'SHA256':
      return 'sha256';
    case 'SHA512':
      return 'sha512';
  }
  throw new TypeError(`unsupported Convoy hash ${JSON.stringify(hash)}`);
}

function encodingOf(encoding: ConvoyEncoding): 'hex' | 'base64' {
  switch (encoding) {
    case 'hex':
      return 'hex';
    case 'base64':
      return 'base64';
  }
  throw new TypeError(`unsupported Convoy encoding ${JSON.stringify(encoding)}`);
}

function toVersions(
  versions: readonly ConvoySignatureVersion[],
): readonly ConvoySignatureVersion[] {
  if (versions.length === 0) throw new TypeError('at least one signature version is required');
  for (const version of versions) {
    algorithmOf(version.hash);
    encodingOf(version.encoding);
  }
  return versions;
}

function toConvoySecrets(secrets: readonly string[]): readonly string[] {
  if (secrets.length === 0) throw new TypeError('at least one secret is required');
  if (secrets.some((secret) => secret.length === 0))
    throw new TypeError('secrets must not be empty');
  return secrets;
}

function lastOf<T>(items: readonly T[]): T {
  const item = items[items.length - 1];
  if (item === undefined) throw new TypeError('empty list');
  return item;
}
