import { createPublicKey, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateEd25519KeyPair } from './ed25519';
import { SignatureVerificationError, type SignatureVerificationErrorCode } from './errors';
import { generateStandardSecret } from './secrets';
import { signStandardWebhook, verifyStandardWebhook } from './standard-webhooks';

const body = JSON.stringify({ type: 'invoice.paid', data: { id: 'inv_1', amount: 4200 } });
const now = () => Math.floor(Date.now() / 1000);

function expectCode(fn: () => unknown, code: SignatureVerificationErrorCode) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SignatureVerificationError);
    expect((error as SignatureVerificationError).code).toBe(code);
    return;
  }
  throw new Error(`expected SignatureVerificationError ${code}`);
}

describe('signStandardWebhook', () => {
  it('matches the published Standard Webhooks example', () => {
    const headers = signStandardWebhook({
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
      body: '{"test": 2432232314}',
      secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
    });
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('verifies with the independent standardwebhooks package (string and Buffer bodies)', () => {
    const secret = generateStandardSecret();
    const timestamp = now();
    for (const payload of [body, Buffer.from(body)]) {
      const headers = signStandardWebhook({
        id: 'msg_1',
        timestamp,
        body: payload,
        secrets: [secret],
      });
      expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      expect(new Webhook(secret).verify(payload, { ...headers })).toEqual(JSON.parse(body));
    }
  });

  it('sends one signature per live secret during rotation; each secret verifies on its own', () => {
    const [oldSecret, newSecret] = [generateStandardSecret(), generateStandardSecret()];
    const headers = signStandardWebhook({
      id: 'msg_rot',
      timestamp: now(),
      body,
      secrets: [oldSecret, newSecret],
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(body, { ...headers })).toBeDefined();
    expect(new Webhook(newSecret).verify(body, { ...headers })).toBeDefined();
    expect(() => new Webhook(generateStandardSecret()).verify(body, { ...headers })).toThrow();
    expect(verifyStandardWebhook({ headers, body, secret: oldSecret })).toEqual({
      id: 'msg_rot',
      timestamp: Number(headers['webhook-timestamp']),
    });
    expect(verifyStandardWebhook({ headers, body, secret: newSecret }).id).toBe('msg_rot');
  });

  it('is rejected by the independent verifier when body or timestamp are tampered with', () => {
    const secret = generateStandardSecret();
    const headers = signStandardWebhook({ id: 'msg_t', timestamp: now(), body, secrets: [secret] });
    const webhook = new Webhook(secret);
    expect(() => webhook.verify(`${body} `, { ...headers })).toThrow('No matching signature found');
    const shifted = { ...headers, 'webhook-timestamp': String(now() - 1) };
    expect(() => webhook.verify(body, shifted)).toThrow('No matching signature found');
    expect(() => webhook.verify(body, { ...headers, 'webhook-id': 'msg_other' })).toThrow();
  });

  it('is rejected by the independent verifier outside its 5 minute tolerance', () => {
    const secret = generateStandardSecret();
    const headers = signStandardWebhook({
      id: 'm',
      timestamp: now() - 600,
      body,
      secrets: [secret],
    });
    expect(() => new Webhook(secret).verify(body, { ...headers })).toThrow(
      'Message timestamp too old',
    );
  });

  it('refuses bad input', () => {
    const secrets = [generateStandardSecret()];
    expect(() => signStandardWebhook({ id: '', timestamp: 1, body, secrets })).toThrow(TypeError);
    expect(() => signStandardWebhook({ id: 'm', timestamp: 1.5, body, secrets })).toThrow(
      TypeError,
    );
    expect(() => signStandardWebhook({ id: 'm', timestamp: 1, body, secrets: [] })).toThrow(
      TypeError,
    );
    expect(() => signStandardWebhook({ id: 'm', timestamp: 1, body, secrets: ['x y'] })).toThrow(
      TypeError,
    );
  });
});

/**
 * An ed25519 verifier that shares no code with the signer: the key is the raw `whpk_` bytes as a
 * JWK, the content is rebuilt from the headers as the spec describes.
 */
function independentlyVerifiesV1a(
  publicKey: string,
  headers: Record<string, string>,
  payload: string,
): boolean {
  const x = Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  const content = Buffer.from(
    `${headers['webhook-id'] ?? ''}.${headers['webhook-timestamp'] ?? ''}.${payload}`,
  );
  return (headers['webhook-signature'] ?? '')
    .split(' ')
    .filter((entry) => entry.startsWith('v1a,'))
    .some((entry) => verify(null, content, key, Buffer.from(entry.slice(4), 'base64')));
}

describe('signStandardWebhook with ed25519 (v1a)', () => {
  it('signs a whsk_ key as one v1a,<base64 of 64 bytes> signature', () => {
    const { secretKey } = generateEd25519KeyPair();
    const headers = signStandardWebhook({
      id: 'msg_a',
      timestamp: now(),
      body,
      secrets: [secretKey],
    });
    expect(headers['webhook-signature']).toMatch(/^v1a,[A-Za-z0-9+/]{86}==$/);
  });

  it('signs id.timestamp.body so the raw whpk_ key verifies independently', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const headers = signStandardWebhook({
      id: 'msg_a',
      timestamp: now(),
      body,
      secrets: [secretKey],
    });
    expect(independentlyVerifiesV1a(publicKey, headers, body)).toBe(true);
  });

  it('signs a Buffer body the same as its string', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const input = { id: 'msg_b', timestamp: now(), secrets: [secretKey] };
    const headers = signStandardWebhook({ ...input, body: Buffer.from(body) });
    expect(independentlyVerifiesV1a(publicKey, headers, body)).toBe(true);
  });

  it('is rejected by the independent verifier when the body is tampered with', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const headers = signStandardWebhook({
      id: 'msg_c',
      timestamp: now(),
      body,
      secrets: [secretKey],
    });
    expect(independentlyVerifiesV1a(publicKey, headers, `${body} `)).toBe(false);
  });

  it("sends old and new keys' signatures during rotation; each public key verifies", () => {
    const [old, fresh] = [generateEd25519KeyPair(), generateEd25519KeyPair()];
    const headers = signStandardWebhook({
      id: 'msg_rot',
      timestamp: now(),
      body,
      secrets: [old.secretKey, fresh.secretKey],
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(independentlyVerifiesV1a(old.publicKey, headers, body)).toBe(true);
    expect(independentlyVerifiesV1a(fresh.publicKey, headers, body)).toBe(true);
  });

  it('signs v1 and v1a side by side while an HMAC endpoint moves to ed25519', () => {
    const hmacSecret = generateStandardSecret();
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const headers = signStandardWebhook({
      id: 'msg_mix',
      timestamp: now(),
      body,
      secrets: [hmacSecret, secretKey],
    });
    expect(new Webhook(hmacSecret).verify(body, { ...headers })).toBeDefined();
    expect(independentlyVerifiesV1a(publicKey, headers, body)).toBe(true);
  });
});

describe('verifyStandardWebhook', () => {
  const secret = generateStandardSecret();
  const timestamp = 1_700_000_000;
  const headers = signStandardWebhook({ id: 'msg_v', timestamp, body, secrets: [secret] });

  it('accepts signatures made by the standardwebhooks package', () => {
    const signature = new Webhook(secret).sign('msg_ext', new Date(timestamp * 1000), body);
    const external = {
      'webhook-id': 'msg_ext',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signature,
    };
    expect(verifyStandardWebhook({ headers: external, body, secret, now: timestamp })).toEqual({
      id: 'msg_ext',
      timestamp,
    });
  });

  it('reads any header case, fetch Headers, and Buffer bodies', () => {
    const upper = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyStandardWebhook({ headers: upper, body, secret, now: timestamp }).id).toBe(
      'msg_v',
    );
    const fetchHeaders = new Headers(headers);
    const buffer = Buffer.from(body);
    expect(
      verifyStandardWebhook({ headers: fetchHeaders, body: buffer, secret, now: timestamp }),
    ).toEqual({ id: 'msg_v', timestamp });
  });

  it('accepts a receiver holding several secrets, and skips unknown signature versions', () => {
    const other = generateStandardSecret();
    const mixed = { ...headers, 'webhook-signature': `v1a,AAAA ${headers['webhook-signature']}` };
    expect(
      verifyStandardWebhook({ headers: mixed, body, secret: [other, secret], now: timestamp }).id,
    ).toBe('msg_v');
  });

  it('rejects tampered body, timestamp, id and wrong secrets', () => {
    const at = { secret, now: timestamp };
    expectCode(
      () => verifyStandardWebhook({ ...at, headers, body: `${body}x` }),
      'no_matching_signature',
    );
    const shifted = { ...headers, 'webhook-timestamp': String(timestamp + 1) };
    expectCode(
      () => verifyStandardWebhook({ ...at, headers: shifted, body }),
      'no_matching_signature',
    );
    const renamed = { ...headers, 'webhook-id': 'msg_w' };
    expectCode(
      () => verifyStandardWebhook({ ...at, headers: renamed, body }),
      'no_matching_signature',
    );
    expectCode(
      () =>
        verifyStandardWebhook({ headers, body, secret: generateStandardSecret(), now: timestamp }),
      'no_matching_signature',
    );
    const onlyV1a = {
      ...headers,
      'webhook-signature': headers['webhook-signature'].replace('v1,', 'v1a,'),
    };
    expectCode(
      () => verifyStandardWebhook({ ...at, headers: onlyV1a, body }),
      'no_matching_signature',
    );
  });

  it('enforces the tolerance in both directions (default 300 s)', () => {
    const base = { headers, body, secret };
    expect(verifyStandardWebhook({ ...base, now: timestamp + 300 }).timestamp).toBe(timestamp);
    expect(verifyStandardWebhook({ ...base, now: timestamp - 300 }).timestamp).toBe(timestamp);
    expectCode(
      () => verifyStandardWebhook({ ...base, now: timestamp + 301 }),
      'timestamp_out_of_tolerance',
    );
    expectCode(
      () => verifyStandardWebhook({ ...base, now: timestamp - 301 }),
      'timestamp_out_of_tolerance',
    );
    expectCode(
      () => verifyStandardWebhook({ ...base, now: timestamp + 31, toleranceSeconds: 30 }),
      'timestamp_out_of_tolerance',
    );
    expect(() => verifyStandardWebhook({ ...base, now: timestamp, toleranceSeconds: -1 })).toThrow(
      TypeError,
    );
  });

  it('accepts a v1a signature for a whpk_ public key', () => {
    const { secretKey, publicKey } = generateEd25519KeyPair();
    const signed = signStandardWebhook({ id: 'msg_a', timestamp, body, secrets: [secretKey] });
    expect(
      verifyStandardWebhook({ headers: signed, body, secret: publicKey, now: timestamp }),
    ).toEqual({ id: 'msg_a', timestamp });
  });

  it('rejects a v1a signature for another whpk_ public key', () => {
    const { secretKey } = generateEd25519KeyPair();
    const signed = signStandardWebhook({ id: 'msg_a', timestamp, body, secrets: [secretKey] });
    const other = generateEd25519KeyPair().publicKey;
    expectCode(
      () => verifyStandardWebhook({ headers: signed, body, secret: other, now: timestamp }),
      'no_matching_signature',
    );
  });

  it('does not accept a v1a signature checked against a whsec_ secret', () => {
    const { secretKey } = generateEd25519KeyPair();
    const signed = signStandardWebhook({ id: 'msg_a', timestamp, body, secrets: [secretKey] });
    expectCode(
      () => verifyStandardWebhook({ headers: signed, body, secret, now: timestamp }),
      'no_matching_signature',
    );
  });

  it('reports missing and malformed headers', () => {
    const at = { body, secret, now: timestamp };
    const withoutSignature: Record<string, string> = { ...headers };
    delete withoutSignature['webhook-signature'];
    expectCode(() => verifyStandardWebhook({ ...at, headers: withoutSignature }), 'missing_header');
    expectCode(() => verifyStandardWebhook({ ...at, headers: {} }), 'missing_header');
    expectCode(
      () => verifyStandardWebhook({ ...at, headers: { ...headers, 'webhook-timestamp': '17e8' } }),
      'malformed',
    );
    expectCode(
      () =>
        verifyStandardWebhook({ ...at, headers: { ...headers, 'webhook-signature': 'garbage' } }),
      'malformed',
    );
  });
});
