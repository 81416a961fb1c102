import { Webhook } from 'standardwebhooks';
import { signConvoy } from './convoy';
import { generateStandardSecret } from './secrets';
import { signDelivery, type SignatureScheme } from './signature-scheme';

const body = '{"ok":true}';
const timestamp = Math.floor(Date.now() / 1000);

describe('signDelivery', () => {
  it('standard-webhooks: the three webhook-* headers', () => {
    const secret = generateStandardSecret();
    const headers = signDelivery(
      { format: 'standard-webhooks' },
      { id: 'msg_1', timestamp, body, secrets: [secret] },
    );
    expect(Object.keys(headers).sort()).toEqual([
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
    expect(new Webhook(secret).verify(body, headers)).toEqual({ ok: true });
  });

  it('convoy: only the signature header, default name X-Convoy-Signature', () => {
    const scheme: SignatureScheme = {
      format: 'convoy',
      versions: [{ hash: 'SHA256', encoding: 'hex' }],
      advanced: true,
    };
    const headers = signDelivery(scheme, { id: 'msg_1', timestamp, body, secrets: ['s'] });
    expect(headers).toEqual({
      'X-Convoy-Signature': signConvoy({
        body,
        timestamp,
        secrets: ['s'],
        versions: scheme.versions,
        advanced: true,
      }),
    });
  });

  it('convoy: honours a configured header name and rejects an invalid one', () => {
    const base = {
      format: 'convoy',
      versions: [{ hash: 'SHA512', encoding: 'base64' }],
      advanced: false,
    } as const;
    const input = { id: 'm', timestamp, body, secrets: ['s'] };
    expect(Object.keys(signDelivery({ ...base, header: 'X-Acme-Signature' }, input))).toEqual([
      'X-Acme-Signature',
    ]);
    expect(() => signDelivery({ ...base, header: 'Bad Header:' }, input)).toThrow(TypeError);
  });
});
