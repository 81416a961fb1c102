import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** A verifier with its secret, ready to check requests. */
export type HttpVerifier =
  | { type: 'noop' }
  | {
      type: 'hmac';
      header: string;
      hash: 'SHA256' | 'SHA512';
      encoding: 'hex' | 'base64';
      secret: string;
    }
  | { type: 'basic_auth'; username: string; password: string }
  | { type: 'api_key'; headerName: string; headerValue: string };

export type VerifyFailureReason = 'missing' | 'malformed' | 'mismatch';

export type VerifyResult =
  | { ok: true }
  | { ok: false; verifier: HttpVerifier['type']; header: string; reason: VerifyFailureReason };

const HEX = /^[0-9a-fA-F]+$/;
// Standard or URL-safe alphabet, padding optional.
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/**
 * Checks an incoming request against its source's verifier, over the raw bytes received. Every
 * comparison of a secret-derived value is constant-time; failures say which header failed and
 * why, never what was expected.
 */
export function verifyRequest(
  verifier: HttpVerifier,
  body: Buffer,
  headers: IncomingHttpHeaders,
): VerifyResult {
  switch (verifier.type) {
    case 'noop':
      return { ok: true };
    case 'hmac':
      return verifyHmac(verifier, body, headers);
    case 'basic_auth':
      return verifyBasicAuth(verifier, headers);
    case 'api_key': {
      const value = headerValue(headers, verifier.headerName);
      if (value === undefined) return fail(verifier, verifier.headerName, 'missing');
      return equalDigests(value, verifier.headerValue)
        ? { ok: true }
        : fail(verifier, verifier.headerName, 'mismatch');
    }
  }
}

/** A failure in words for the sender: which header, and what is wrong with it. */
export function describeVerifyFailure(result: Extract<VerifyResult, { ok: false }>): string {
  const what = { hmac: 'signature', basic_auth: 'credentials', api_key: 'API key', noop: '' }[
    result.verifier
  ];
  switch (result.reason) {
    case 'missing':
      return `verification failed: header ${result.header} (${what}) is missing`;
    case 'malformed':
      return `verification failed: header ${result.header} (${what}) is malformed`;
    case 'mismatch':
      return result.verifier === 'hmac'
        ? `verification failed: the signature in ${result.header} does not match the request body`
        : `verification failed: header ${result.header} (${what}) does not match`;
  }
}

function verifyHmac(
  verifier: Extract<HttpVerifier, { type: 'hmac' }>,
  body: Buffer,
  headers: IncomingHttpHeaders,
): VerifyResult {
  const raw = headerValue(headers, verifier.header);
  if (raw === undefined) return fail(verifier, verifier.header, 'missing');
  const algorithm = verifier.hash === 'SHA256' ? 'sha256' : 'sha512';
  let text = raw.trim();
  // GitHub style `sha256=<signature>`: the prefix must name the configured hash.
  const prefix = `${algorithm}=`;
  if (text.slice(0, prefix.length).toLowerCase() === prefix) text = text.slice(prefix.length);
  const given = decodeSignature(text, verifier.encoding);
  if (!given) return fail(verifier, verifier.header, 'malformed');
  const expected = createHmac(algorithm, verifier.secret).update(body).digest();
  // The expected length is public (it follows from the hash), so checking it first leaks nothing.
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? { ok: true }
    : fail(verifier, verifier.header, 'mismatch');
}

function verifyBasicAuth(
  verifier: Extract<HttpVerifier, { type: 'basic_auth' }>,
  headers: IncomingHttpHeaders,
): VerifyResult {
  const raw = headerValue(headers, 'Authorization');
  if (raw === undefined) return fail(verifier, 'Authorization', 'missing');
  const match = /^Basic\s+([A-Za-z0-9+/]+={0,2})\s*$/i.exec(raw);
  if (!match?.[1]) return fail(verifier, 'Authorization', 'malformed');
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return fail(verifier, 'Authorization', 'malformed');
  // Both halves are always compared, so the time does not tell which one was wrong.
  const userOk = equalDigests(decoded.slice(0, colon), verifier.username);
  const passwordOk = equalDigests(decoded.slice(colon + 1), verifier.password);
  return userOk && passwordOk ? { ok: true } : fail(verifier, 'Authorization', 'mismatch');
}

function decodeSignature(text: string, encoding: 'hex' | 'base64'): Buffer | undefined {
  if (encoding === 'hex') {
    return HEX.test(text) && text.length % 2 === 0 ? Buffer.from(text, 'hex') : undefined;
  }
  return BASE64.test(text) ? Buffer.from(text, 'base64') : undefined;
}

/** Constant-time equality of two strings of any lengths (compares their SHA-256 digests). */
function equalDigests(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** A header's value; a header sent more than once is not trusted for verification. */
function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function fail(verifier: HttpVerifier, header: string, reason: VerifyFailureReason): VerifyResult {
  return { ok: false, verifier: verifier.type, header, reason };
}
