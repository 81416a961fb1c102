import { randomBytes } from 'node:crypto';
import { CredentialsCipher, CredentialsDecryptError } from './credentials-cipher';

describe('CredentialsCipher', () => {
  const key = randomBytes(32).toString('base64');
  const cipher = new CredentialsCipher(key);

  it('round-trips, with a fresh IV every time and no plaintext in the stored bytes', () => {
    const secret = '{"secret_key":"wJalrXUtnFEMI/K7MDENG"}';
    const a = cipher.encrypt(secret, 'source:1');
    const b = cipher.encrypt(secret, 'source:1');
    expect(a.equals(b)).toBe(false);
    expect(a.toString('latin1')).not.toContain('wJalr');
    expect(cipher.decrypt(a, 'source:1')).toBe(secret);
    expect(new CredentialsCipher(key).decrypt(new Uint8Array(b), 'source:1')).toBe(secret);
  });

  it('refuses another row, another key, altered bytes and unknown formats', () => {
    const stored = cipher.encrypt('secret', 'source:1');
    expect(() => cipher.decrypt(stored, 'source:2')).toThrow(CredentialsDecryptError);
    const other = new CredentialsCipher(randomBytes(32).toString('base64'));
    expect(() => other.decrypt(stored, 'source:1')).toThrow(/wrong key/);
    const altered = Buffer.from(stored);
    altered[altered.length - 1] = altered[altered.length - 1]! ^ 1;
    expect(() => cipher.decrypt(altered, 'source:1')).toThrow(CredentialsDecryptError);
    expect(() => cipher.decrypt(Buffer.from([2, 1, 2]), 'source:1')).toThrow(/known format/);
  });

  it('needs a 32-byte key', () => {
    expect(() => new CredentialsCipher(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
