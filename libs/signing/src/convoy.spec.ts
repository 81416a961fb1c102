import { createHmac } from 'node:crypto';
import { signConvoy, verifyConvoy, type ConvoySignatureVersion } from './convoy';
import { SignatureVerificationError, type SignatureVerificationErrorCode } from './errors';

const body = '{"event_type":"invoice.paid","data":{"id":"inv_1"}}';
const timestamp = 1_700_000_000;
const matrix: ConvoySignatureVersion[] = [
  { hash: 'SHA256', encoding: 'hex' },
  { hash: 'SHA256', encoding: 'base64' },
  { hash: 'SHA512', encoding: 'hex' },
  { hash: 'SHA512', encoding: 'base64' },
];

/**
 * An independent receiver written from the documented format, sharing no code with ours.
 * Simple: header == HMAC(secret, body) with the last version. Advanced: `t=…,vN=…` entries, each
 * HMAC(secret, "<t>,<body>") with version N.
 */
function receiverAccepts(
  header: string,
  secret: string,
  versions: ConvoySignatureVersion[],
  advanced: boolean,
): boolean {
  const mac = (v: ConvoySignatureVersion, data: string) =>
    createHmac(v.hash === 'SHA256' ? 'sha256' : 'sha512', secret)
      .update(data)
      .digest(v.encoding);
  if (!advanced) return header === mac(versions[versions.length - 1]!, body);
  const fields = header
    .split(',')
    .map((field) => [field.slice(0, field.indexOf('=')), field.slice(field.indexOf('=') + 1)]);
  const t = fields.find(([key]) => key === 't')?.[1];
  if (t === undefined) return false;
  return fields.some(([key, sig]) => {
    const n = /^v(\d+)$/.exec(key!)?.[1];
    const version = n === undefined ? undefined : versions[Number(n) - 1];
    return version !== undefined && sig === mac(version, `${t},${body}`);
  });
}

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

describe('Convoy signatures', () => {
  describe.each(matrix)('$hash/$encoding', (version) => {
    const versions = [version];

    it('simple: HMAC(newest secret, body), verified independently and by us', () => {
      const header = signConvoy({
        body,
        timestamp,
        secrets: ['old', 'new'],
        versions,
        advanced: false,
      });
      expect(header).toMatch(version.encoding === 'hex' ? /^[0-9a-f]+$/ : /^[A-Za-z0-9+/]+=*$/);
      expect(receiverAccepts(header, 'new', versions, false)).toBe(true);
      expect(receiverAccepts(header, 'old', versions, false)).toBe(false);
      expect(verifyConvoy({ header, body, secret: 'new', versions, advanced: false })).toEqual({
        timestamp: null,
      });
      expect(
        verifyConvoy({
          header,
          body: Buffer.from(body),
          secret: ['x', 'new'],
          versions,
          advanced: false,
        }),
      ).toEqual({ timestamp: null });
      expectCode(
        () => verifyConvoy({ header, body: `${body} `, secret: 'new', versions, advanced: false }),
        'no_matching_signature',
      );
    });

    it('advanced: t=…,v1=… per live secret, each verifies on its own', () => {
      const header = signConvoy({
        body,
        timestamp,
        secrets: ['old', 'new'],
        versions,
        advanced: true,
      });
      expect(header).toMatch(/^t=1700000000,v1=[^,]+,v1=[^,]+$/);
      for (const secret of ['old', 'new']) {
        expect(receiverAccepts(header, secret, versions, true)).toBe(true);
        expect(
          verifyConvoy({ header, body, secret, versions, advanced: true, now: timestamp }),
        ).toEqual({
          timestamp,
        });
      }
      expect(receiverAccepts(header, 'other', versions, true)).toBe(false);
      const at = { header, versions, advanced: true, now: timestamp };
      expectCode(() => verifyConvoy({ ...at, body, secret: 'other' }), 'no_matching_signature');
      expectCode(
        () => verifyConvoy({ ...at, body: `${body}x`, secret: 'old' }),
        'no_matching_signature',
      );
      const shifted = header.replace('t=1700000000', 't=1700000001');
      expect(receiverAccepts(shifted, 'old', versions, true)).toBe(false);
      expectCode(
        () => verifyConvoy({ ...at, header: shifted, body, secret: 'old' }),
        'no_matching_signature',
      );
    });
  });

  it('advanced with several versions: vN uses the N-th version, every one verifiable', () => {
    const header = signConvoy({
      body,
      timestamp,
      secrets: ['a', 'b'],
      versions: matrix,
      advanced: true,
    });
    const keys = header.split(',').map((field) => field.slice(0, field.indexOf('=')));
    expect(keys).toEqual(['t', 'v1', 'v1', 'v2', 'v2', 'v3', 'v3', 'v4', 'v4']);
    for (const secret of ['a', 'b']) {
      expect(receiverAccepts(header, secret, matrix, true)).toBe(true);
      // A receiver that only knows version 3 still finds its v3 entry.
      const onlyV3 = header
        .split(',')
        .filter((field) => field.startsWith('t=') || field.startsWith('v3='))
        .join(',');
      expect(receiverAccepts(onlyV3, secret, matrix, true)).toBe(true);
      expect(
        verifyConvoy({
          header: onlyV3,
          body,
          secret,
          versions: matrix,
          advanced: true,
          now: timestamp,
        }),
      ).toEqual({ timestamp });
    }
    // Entries beyond the receiver's versions are ignored rather than failing.
    expect(
      verifyConvoy({
        header,
        body,
        secret: 'a',
        versions: matrix.slice(0, 1),
        advanced: true,
        now: timestamp,
      }),
    ).toEqual({ timestamp });
  });

  it('simple uses the last version', () => {
    const header = signConvoy({
      body,
      timestamp,
      secrets: ['s'],
      versions: matrix,
      advanced: false,
    });
    expect(header).toBe(createHmac('sha512', 's').update(body).digest('base64'));
  });

  it('enforces the tolerance on advanced signatures', () => {
    const versions = matrix.slice(0, 1);
    const header = signConvoy({ body, timestamp, secrets: ['s'], versions, advanced: true });
    const base = { header, body, secret: 's', versions, advanced: true };
    expect(verifyConvoy({ ...base, now: timestamp + 300 })).toEqual({ timestamp });
    expectCode(() => verifyConvoy({ ...base, now: timestamp + 301 }), 'timestamp_out_of_tolerance');
    expectCode(() => verifyConvoy({ ...base, now: timestamp - 301 }), 'timestamp_out_of_tolerance');
    expectCode(
      () => verifyConvoy({ ...base, now: timestamp + 61, toleranceSeconds: 60 }),
      'timestamp_out_of_tolerance',
    );
  });

  it('reports missing and malformed headers', () => {
    const base = { body, secret: 's', versions: matrix, now: timestamp };
    expectCode(
      () => verifyConvoy({ ...base, header: undefined, advanced: true }),
      'missing_header',
    );
    expectCode(() => verifyConvoy({ ...base, header: '  ', advanced: false }), 'missing_header');
    expectCode(() => verifyConvoy({ ...base, header: 'v1=abc', advanced: true }), 'malformed');
    expectCode(
      () => verifyConvoy({ ...base, header: 't=1,t=2,v1=abc', advanced: true }),
      'malformed',
    );
    expectCode(
      () => verifyConvoy({ ...base, header: `t=${timestamp}`, advanced: true }),
      'malformed',
    );
    expectCode(
      () => verifyConvoy({ ...base, header: 'abc', advanced: false }),
      'no_matching_signature',
    );
  });

  it('refuses bad configuration', () => {
    const input = { body, timestamp, secrets: ['s'], versions: matrix, advanced: true };
    expect(() => signConvoy({ ...input, secrets: [] })).toThrow(TypeError);
    expect(() => signConvoy({ ...input, secrets: [''] })).toThrow(TypeError);
    expect(() => signConvoy({ ...input, versions: [] })).toThrow(TypeError);
    const md5 = [{ hash: 'MD5', encoding: 'hex' }] as unknown as ConvoySignatureVersion[];
    expect(() => signConvoy({ ...input, versions: md5 })).toThrow(/unsupported Convoy hash "MD5"/);
  });
});
