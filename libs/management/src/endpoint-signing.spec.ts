import { generateEd25519KeyPair, generateStandardSecret } from '@flotilla/signing';
import { currentSignatureAlgorithm, presentSecret, signatureAlgorithmOf } from './endpoint-signing';

const secret = (value: string, created_at: string) => ({
  uid: created_at,
  value,
  created_at,
  expires_at: null,
});

describe('endpoint signing', () => {
  it('shows an ed25519 secret as its whpk_ public key, never the whsk_ key', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    expect(presentSecret(secret(secretKey, '2026-01-01T00:00:00.000Z')).value).toBe(publicKey);
  });

  it('shows an HMAC secret as it is (the receiver needs it to verify)', () => {
    const hmac = generateStandardSecret();
    expect(presentSecret(secret(hmac, '2026-01-01T00:00:00.000Z')).value).toBe(hmac);
  });

  it('names the algorithm by the secret prefix', () => {
    expect(signatureAlgorithmOf(generateEd25519KeyPair().secretKey)).toBe('ed25519');
    expect(signatureAlgorithmOf(generateStandardSecret())).toBe('hmac-sha256');
  });

  it("takes the endpoint's algorithm from its newest secret, whatever the list order", () => {
    const newest = secret(generateEd25519KeyPair().secretKey, '2026-02-01T00:00:00.000Z');
    const older = secret(generateStandardSecret(), '2026-01-01T00:00:00.000Z');
    expect(currentSignatureAlgorithm([newest, older])).toBe('ed25519');
    expect(currentSignatureAlgorithm([older, newest])).toBe('ed25519');
  });
});
