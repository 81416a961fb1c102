import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The stored secret cannot be read with this key (another key, or the bytes were changed). */
export class CredentialsDecryptError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CredentialsDecryptError';
  }
}

/**
 * Secrets at rest (broker and endpoint credentials): AES-256-GCM with a random 96-bit IV, stored as
 * `version(1) | iv(12) | tag(16) | ciphertext`. The associated data binds a ciphertext to its row
 * (e.g. `source:<id>`), so credentials copied onto another row do not decrypt.
 */
export class CredentialsCipher {
  private readonly key: Buffer;

  /** `keyBase64`: 32 random bytes, base64 (FLOTILLA_ENCRYPTION_KEY). */
  constructor(keyBase64: string) {
    this.key = Buffer.from(keyBase64, 'base64');
    if (this.key.length !== 32) throw new Error('the encryption key must be 32 bytes (base64)');
  }

  encrypt(plaintext: string, associatedData: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(stored: Uint8Array, associatedData: string): string {
    const bytes = Buffer.from(stored);
    if (bytes.length < 1 + IV_BYTES + TAG_BYTES || bytes[0] !== VERSION) {
      throw new CredentialsDecryptError('stored credentials are not in a known format');
    }
    const iv = bytes.subarray(1, 1 + IV_BYTES);
    const tag = bytes.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([
        decipher.update(bytes.subarray(1 + IV_BYTES + TAG_BYTES)),
        decipher.final(),
      ]).toString('utf8');
    } catch (error) {
      throw new CredentialsDecryptError(
        'stored credentials do not decrypt with FLOTILLA_ENCRYPTION_KEY (wrong key, or altered)',
        { cause: error },
      );
    }
  }
}
