import type { ApiKey } from '@flotilla/db';
import {
  apiKeySecretMatches,
  apiKeyStatus,
  generateApiKey,
  parseApiKey,
  presentApiKey,
} from './api-key';

describe('API keys', () => {
  it('round-trips a generated key and rejects a wrong one', () => {
    const generated = generateApiKey();
    const parsed = parseApiKey(generated.key);
    expect(parsed?.prefix).toBe(generated.prefix);
    expect(apiKeySecretMatches(parsed!.secret, generated.keyHash)).toBe(true);
    expect(apiKeySecretMatches(parsed!.secret.replace(/.$/, 'A'), generated.keyHash)).toBe(
      parsed!.secret.endsWith('A'),
    );
    expect(parseApiKey('CO.abc.def')).toBeUndefined();
    expect(generated.key).not.toContain(generated.keyHash);
  });
});

const key = (fields: Partial<ApiKey> = {}): ApiKey => ({
  id: '0190a4d2-0000-7000-8000-000000000001',
  projectId: '0190a4d2-0000-7000-8000-000000000002',
  name: 'ci',
  prefix: '0123456789abcdef',
  keyHash: 'f'.repeat(64),
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  createdAt: new Date('2026-01-01T00:00:00Z'),
  ...fields,
});

describe('API key views', () => {
  it('never show the hash', () => {
    const view = presentApiKey(key());
    expect(JSON.stringify(view)).not.toContain('f'.repeat(64));
    expect(Object.keys(view).sort()).toEqual(
      [
        'created_at',
        'expires_at',
        'last_used_at',
        'name',
        'prefix',
        'project_id',
        'revoked_at',
        'status',
        'uid',
      ].sort(),
    );
  });

  it('say whether a key is active, revoked or expired (revoked wins)', () => {
    const now = new Date('2026-06-01T00:00:00Z');
    expect(apiKeyStatus(key(), now)).toBe('active');
    expect(apiKeyStatus(key({ expiresAt: new Date('2026-07-01T00:00:00Z') }), now)).toBe('active');
    expect(apiKeyStatus(key({ expiresAt: now }), now)).toBe('expired');
    expect(apiKeyStatus(key({ expiresAt: now, revokedAt: now }), now)).toBe('revoked');
  });
});
