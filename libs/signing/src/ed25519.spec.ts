import { createPublicKey, verify } from 'node:crypto';
import {
  ed25519PrivateKey,
  ed25519PublicKey,
  ed25519PublicKeyOf,
  ed25519Sign,
  ed25519Verify,
  generateEd25519KeyPair,
} from './ed25519';

// RFC 8032 section 7.1, TEST 1: an independent reference for the key and signature encodings.
const RFC_SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const RFC_PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const RFC_SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

describe('ed25519 keys', () => {
  it('generates whsk_ and whpk_ keys of 32 base64 bytes each', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    expect(secretKey).toMatch(/^whsk_[A-Za-z0-9+/]{43}=$/);
    expect(publicKey).toMatch(/^whpk_[A-Za-z0-9+/]{43}=$/);
    expect(generateEd25519KeyPair().secretKey).not.toBe(secretKey);
  });

  it('derives the RFC 8032 public key from its seed', () => {
    expect(ed25519PublicKeyOf(`whsk_${b64(RFC_SEED)}`)).toBe(`whpk_${b64(RFC_PUBLIC)}`);
  });

  it('signs the RFC 8032 empty message to its published signature', () => {
    const key = ed25519PrivateKey(`whsk_${b64(RFC_SEED)}`);
    expect(ed25519Sign(key, [''])).toBe(b64(RFC_SIGNATURE));
  });

  it('signs so that a key built from the raw whpk_ bytes as a JWK verifies', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const signature = ed25519Sign(ed25519PrivateKey(secretKey), ['msg_1.1700000000.', '{"a":1}']);
    // Independent of the signing code's DER wrapping: the JWK form takes the raw key as is.
    const raw = Buffer.from(publicKey.slice('whpk_'.length), 'base64');
    const jwkKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
      format: 'jwk',
    });
    const message = Buffer.from('msg_1.1700000000.{"a":1}');
    expect(verify(null, message, jwkKey, Buffer.from(signature, 'base64'))).toBe(true);
  });

  it('verifies its own signature and rejects it for other content', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const signature = ed25519Sign(ed25519PrivateKey(secretKey), ['a', Buffer.from('b')]);
    expect(ed25519Verify(ed25519PublicKey(publicKey), ['ab'], signature)).toBe(true);
    expect(ed25519Verify(ed25519PublicKey(publicKey), ['ac'], signature)).toBe(false);
  });

  it('parses a secret key once and reuses it (imports cost far more than signing)', () => {
    const { secretKey } = generateEd25519KeyPair();
    expect(ed25519PrivateKey(secretKey)).toBe(ed25519PrivateKey(secretKey));
  });

  it.each(['', 'AAAA', '!!!!', Buffer.alloc(63).toString('base64')])(
    'treats the non-signature %j as not matching instead of throwing',
    (bad) => {
      expect(ed25519Verify(ed25519PublicKey(generateEd25519KeyPair().publicKey), ['x'], bad)).toBe(
        false,
      );
    },
  );

  it.each([
    '',
    'whsk_',
    'whsk_not base64!',
    `whsec_${b64(RFC_SEED)}`,
    `whsk_${Buffer.alloc(31).toString('base64')}`,
    `whsk_${Buffer.alloc(64).toString('base64')}`,
  ])('rejects the secret key %j', (bad) => {
    expect(() => ed25519PrivateKey(bad)).toThrow(TypeError);
  });

  it.each(['', 'whpk_', `whsk_${b64(RFC_PUBLIC)}`, `whpk_${Buffer.alloc(16).toString('base64')}`])(
    'rejects the public key %j',
    (bad) => {
      expect(() => ed25519PublicKey(bad)).toThrow(TypeError);
    },
  );
});
