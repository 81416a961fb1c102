import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Project API keys look like `FL.<prefix>.<secret>`: the prefix finds the row and can be shown when
 * listing keys; only a SHA-256 of the 256-bit secret is stored (a slow hash adds nothing for
 * secrets this random, and auth stays cheap on every request).
 */
export interface GeneratedApiKey {
  key: string;
  prefix: string;
  keyHash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const prefix = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `FL.${prefix}.${secret}`, prefix, keyHash: hashApiKeySecret(secret) };
}

export function parseApiKey(key: string): { prefix: string; secret: string } | undefined {
  const match = /^FL\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/.exec(key);
  return match ? { prefix: match[1]!, secret: match[2]! } : undefined;
}

export function hashApiKeySecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function apiKeySecretMatches(secret: string, keyHash: string): boolean {
  const actual = Buffer.from(hashApiKeySecret(secret), 'hex');
  const expected = Buffer.from(keyHash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
