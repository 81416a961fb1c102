import type { ApiKeyResponse, ApiKeyStatus } from '@flotilla/contracts';
import type { ApiKey } from '@flotilla/db';
import { generateToken, hashTokenSecret, parseToken, tokenSecretMatches } from './bearer-token';

/** Project API keys look like `FL.<prefix>.<secret>` (see bearer-token.ts). */
export interface GeneratedApiKey {
  key: string;
  prefix: string;
  keyHash: string;
}

export function generateApiKey(): GeneratedApiKey {
  const { token, prefix, hash } = generateToken('FL');
  return { key: token, prefix, keyHash: hash };
}

export function parseApiKey(key: string): { prefix: string; secret: string } | undefined {
  return parseToken('FL', key);
}

export const hashApiKeySecret = hashTokenSecret;
export const apiKeySecretMatches = tokenSecretMatches;

export function apiKeyStatus(key: ApiKey, now = new Date()): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && key.expiresAt <= now) return 'expired';
  return 'active';
}

/** What listing shows of a key: never the secret or its hash; `prefix` identifies it. */
export function presentApiKey(key: ApiKey): ApiKeyResponse {
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
