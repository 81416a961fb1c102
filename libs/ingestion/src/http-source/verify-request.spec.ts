import { createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { describeVerifyFailure, verifyRequest, type HttpVerifier } from './verify-request';

const body = Buffer.from('{"action":"opened","number":1}');
const secret = 'It’s a Secret to Everybody';
const sign = (hash: 'sha256' | 'sha512', encoding: 'hex' | 'base64', bytes = body) =>
  createHmac(hash, secret).update(bytes).digest(encoding);

const hmac = (
  hash: 'SHA256' | 'SHA512',
  encoding: 'hex' | 'base64',
  header = 'X-Signature',
): HttpVerifier => ({ type: 'hmac', header, hash, encoding, secret });

const check = (verifier: HttpVerifier, headers: IncomingHttpHeaders, bytes = body) =>
  verifyRequest(verifier, bytes, headers);

describe('verifyRequest', () => {
  describe('hmac', () => {
    it.each([
      ['SHA256', 'hex'],
      ['SHA256', 'base64'],
      ['SHA512', 'hex'],
      ['SHA512', 'base64'],
    ] as const)('accepts %s/%s signatures of the raw body', (hash, encoding) => {
      const signature = sign(hash === 'SHA256' ? 'sha256' : 'sha512', encoding);
      expect(check(hmac(hash, encoding), { 'x-signature': signature })).toEqual({ ok: true });
    });

    it('accepts GitHub’s sha256= prefix and upper-case hex', () => {
      const verifier = hmac('SHA256', 'hex', 'X-Hub-Signature-256');
      expect(check(verifier, { 'x-hub-signature-256': `sha256=${sign('sha256', 'hex')}` })).toEqual(
        {
          ok: true,
        },
      );
      expect(
        check(verifier, { 'x-hub-signature-256': sign('sha256', 'hex').toUpperCase() }),
      ).toEqual({ ok: true });
    });

    it('refuses a prefix naming another hash', () => {
      const result = check(hmac('SHA256', 'hex'), {
        'x-signature': `sha1=${sign('sha256', 'hex')}`,
      });
      expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    });

    it('accepts unpadded and URL-safe base64', () => {
      const standard = sign('sha512', 'base64');
      const urlSafe = standard.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
      expect(check(hmac('SHA512', 'base64'), { 'x-signature': urlSafe })).toEqual({ ok: true });
    });

    it('rejects a tampered body, a wrong secret, and a truncated signature as mismatches', () => {
      const verifier = hmac('SHA256', 'hex');
      const tampered = Buffer.from('{"action":"closed","number":1}');
      expect(check(verifier, { 'x-signature': sign('sha256', 'hex') }, tampered)).toMatchObject({
        ok: false,
        reason: 'mismatch',
        header: 'X-Signature',
      });
      const other = createHmac('sha256', 'another').update(body).digest('hex');
      expect(check(verifier, { 'x-signature': other })).toMatchObject({ reason: 'mismatch' });
      expect(check(verifier, { 'x-signature': sign('sha256', 'hex').slice(0, 32) })).toMatchObject({
        reason: 'mismatch',
      });
    });

    it('tells a missing header from a malformed one', () => {
      const verifier = hmac('SHA256', 'hex');
      expect(check(verifier, {})).toMatchObject({ reason: 'missing' });
      expect(check(verifier, { 'x-signature': '' })).toMatchObject({ reason: 'missing' });
      expect(check(verifier, { 'x-signature': 'not hex!' })).toMatchObject({ reason: 'malformed' });
      expect(check(verifier, { 'x-signature': 'abc' })).toMatchObject({ reason: 'malformed' });
      expect(check(hmac('SHA256', 'base64'), { 'x-signature': 'a$b' })).toMatchObject({
        reason: 'malformed',
      });
    });

    it('signs the exact bytes, not a re-encoding of them', () => {
      const spaced = Buffer.from('{ "b": 1,   "a": 2 }');
      const signature = sign('sha256', 'hex', spaced);
      expect(check(hmac('SHA256', 'hex'), { 'x-signature': signature }, spaced)).toEqual({
        ok: true,
      });
      expect(
        check(hmac('SHA256', 'hex'), { 'x-signature': signature }, Buffer.from('{"b":1,"a":2}')),
      ).toMatchObject({ reason: 'mismatch' });
    });
  });

  describe('basic_auth', () => {
    const verifier: HttpVerifier = { type: 'basic_auth', username: 'shop', password: 'p:ss' };
    const basic = (text: string) => `Basic ${Buffer.from(text).toString('base64')}`;

    it('accepts the right credentials (a password may contain ":")', () => {
      expect(check(verifier, { authorization: basic('shop:p:ss') })).toEqual({ ok: true });
    });

    it('rejects wrong credentials, other schemes and a missing header', () => {
      expect(check(verifier, { authorization: basic('shop:nope') })).toMatchObject({
        reason: 'mismatch',
        header: 'Authorization',
      });
      expect(check(verifier, { authorization: basic('other:p:ss') })).toMatchObject({
        reason: 'mismatch',
      });
      expect(check(verifier, { authorization: 'Bearer abc' })).toMatchObject({
        reason: 'malformed',
      });
      expect(check(verifier, { authorization: basic('no-colon') })).toMatchObject({
        reason: 'malformed',
      });
      expect(check(verifier, {})).toMatchObject({ reason: 'missing' });
    });
  });

  describe('api_key', () => {
    const verifier: HttpVerifier = { type: 'api_key', headerName: 'X-Api-Key', headerValue: 'k-1' };

    it('accepts the key in its header and rejects any other value', () => {
      expect(check(verifier, { 'x-api-key': 'k-1' })).toEqual({ ok: true });
      expect(check(verifier, { 'x-api-key': 'k-10' })).toMatchObject({ reason: 'mismatch' });
      expect(check(verifier, { 'x-other': 'k-1' })).toMatchObject({ reason: 'missing' });
    });
  });

  it('noop accepts anything', () => {
    expect(check({ type: 'noop' }, {})).toEqual({ ok: true });
  });

  it('describes failures by header without revealing the expected value', () => {
    const result = check(hmac('SHA256', 'hex'), { 'x-signature': 'ab' });
    if (result.ok) throw new Error('expected a failure');
    const text = describeVerifyFailure(result);
    expect(text).toContain('X-Signature');
    expect(text).not.toContain(sign('sha256', 'hex'));
    expect(text).not.toContain(secret);
  });
});
