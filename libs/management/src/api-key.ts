import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '@flotilla/db';

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

export type ApiKeyStatus = 'active' | 'revoked' | 'expired';

export function apiKeyStatus(key: ApiKey, now = new Date()): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** What listing shows of a key: never the secret or its hash; `prefix` identifies it. */
export function presentApiKey(key: ApiKey): Record<string, unknown> {
  return {
    uid: key.id,
    project_id: key.projectId,
    name: key.name,
    prefix: key.prefix,
    status: apiKeyStatus(key),
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
  };
}
