import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens Flotilla issues look like `<scheme>.<prefix>.<secret>`: `FL` for project API keys,
 * `PL` for portal links. The prefix finds the row and can be shown; only a SHA-256 of the 256-bit
 * secret is stored (a slow hash adds nothing for secrets this random, and checks stay cheap).
 */
export type TokenScheme = 'FL' | 'PL';

export interface GeneratedToken {
  token: string;
  prefix: string;
  hash: string;
}

export function generateToken(scheme: TokenScheme): GeneratedToken {
  const prefix = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `${scheme}.${prefix}.${secret}`, prefix, hash: hashTokenSecret(secret) };
}

export function parseToken(
  scheme: TokenScheme,
  token: string,
): { prefix: string; secret: string } | undefined {
  const match = /^([A-Z]{2})\.([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match && match[1] === scheme ? { prefix: match[2]!, secret: match[3]! } : undefined;
}

export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function tokenSecretMatches(secret: string, hash: string): boolean {
  const actual = Buffer.from(hashTokenSecret(secret), 'hex');
  const expected = Buffer.from(hash, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
