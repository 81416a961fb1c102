import { decodeStandardSecret, generateStandardSecret } from './secrets';

describe('Standard Webhooks secrets', () => {
  it('generates whsec_ + base64 of 32 random bytes', () => {
    const secret = generateStandardSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(decodeStandardSecret(secret)).toHaveLength(32);
    expect(generateStandardSecret()).not.toBe(secret);
  });

  it('decodes with or without the prefix', () => {
    const secret = generateStandardSecret();
    expect(decodeStandardSecret(secret.slice('whsec_'.length))).toEqual(
      decodeStandardSecret(secret),
    );
  });

  it.each(['', 'whsec_', 'whsec_not base64!', 'whsec_abcde', 'plain-convoy-secret'])(
    'rejects %j',
    (bad) => {
      expect(() => decodeStandardSecret(bad)).toThrow(TypeError);
    },
  );
});
