import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * The local install's FLOTILLA_ENCRYPTION_KEY: $FLOTILLA_ENCRYPTION_KEY, else
 * `.flotilla/encryption-key` (made once, mode 0600), so sources created by one `npm start` still
 * decrypt in the next.
 */
export function localEncryptionKey(root: string): string {
  const fromEnv = process.env['FLOTILLA_ENCRYPTION_KEY'];
  if (fromEnv) return fromEnv;
  const file = path.join(root, '.flotilla', 'encryption-key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}
