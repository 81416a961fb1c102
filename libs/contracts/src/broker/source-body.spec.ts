import { createSourceBodySchema, updateSourceBodySchema } from '../http/source.dto';
import { decodeServiceAccount, storedPubSubConfigSchema } from './source-config';

const key = {
  type: 'service_account',
  client_email: 'a@b.iam.gserviceaccount.com',
  private_key: 'k',
};
const sqs = {
  queue_name: 'orders',
  default_region: 'us-east-1',
  access_key_id: 'AKIA0001',
  secret_key: 's',
};

describe('source bodies', () => {
  it('accepts Convoy’s shape, with the other broker’s block null and workers defaulting to 1', () => {
    const body = createSourceBodySchema.parse({
      name: 'orders',
      type: 'pub_sub',
      pub_sub: { type: 'sqs', sqs, google: null },
    });
    expect(body).toMatchObject({ is_disabled: false, pub_sub: { type: 'sqs', workers: 1, sqs } });
    expect(body.type === 'pub_sub' && body.pub_sub.google).toBeUndefined();
  });

  it('takes a service account key as JSON or base64 of JSON, and nothing else', () => {
    const asBase64 = Buffer.from(JSON.stringify(key)).toString('base64');
    for (const service_account of [JSON.stringify(key), asBase64]) {
      const google = { project_id: 'p-1', subscription_id: 'sub-1', service_account };
      expect(
        createSourceBodySchema.safeParse({
          name: 'g',
          type: 'pub_sub',
          pub_sub: { type: 'google', google },
        }).success,
      ).toBe(true);
    }
    expect(decodeServiceAccount(asBase64)).toEqual(key);
    const external = JSON.stringify({
      type: 'external_account',
      credential_source: { url: 'http://169.254.169.254' },
    });
    for (const service_account of ['not a key', external, JSON.stringify({ client_email: 'x' })]) {
      const google = { project_id: 'p-1', subscription_id: 'sub-1', service_account };
      const result = createSourceBodySchema.safeParse({
        name: 'g',
        type: 'pub_sub',
        pub_sub: { type: 'google', google },
      });
      expect(result.error?.issues[0]?.path).toEqual(['pub_sub', 'google', 'service_account']);
    }
  });

  it('names what is missing or wrong', () => {
    const problems = (body: unknown): string[] =>
      (createSourceBodySchema.safeParse(body).error?.issues ?? []).map(
        (issue) => `${issue.path.join('.')}: ${issue.message}`,
      );
    expect(problems({ name: 'x', type: 'pub_sub', pub_sub: { type: 'google', sqs } })).toEqual([
      'pub_sub.google: is required when type is google',
    ]);
    expect(problems({ name: 'x', type: 'ftp', pub_sub: { type: 'sqs', sqs } })).toEqual([
      'type: must be pub_sub (broker sources) or http (incoming webhooks)',
    ]);
    expect(
      problems({
        name: 'x',
        type: 'pub_sub',
        pub_sub: { type: 'sqs', workers: 0, sqs: { ...sqs, queue_name: 'a b' } },
      }),
    ).toHaveLength(2);
    expect(
      problems({
        name: 'x',
        type: 'pub_sub',
        pub_sub: { type: 'sqs', sqs: { ...sqs, endpoint: 'ftp://x' } },
      })[0],
    ).toContain('pub_sub.sqs.endpoint');
  });

  it('updates any part, secrets optional, but not nothing', () => {
    expect(updateSourceBodySchema.safeParse({}).success).toBe(false);
    expect(updateSourceBodySchema.parse({ is_disabled: true })).toEqual({ is_disabled: true });
    const withoutSecrets = updateSourceBodySchema.parse({
      pub_sub: { type: 'sqs', sqs: { queue_name: 'orders', default_region: 'eu-west-1' } },
    });
    expect(withoutSecrets.pub_sub?.sqs?.secret_key).toBeUndefined();
  });

  it('reads stored settings back for the ingesters', () => {
    const stored = storedPubSubConfigSchema.parse({
      type: 'sqs',
      workers: 2,
      sqs: { queue_name: 'q', default_region: 'us-east-1' },
    });
    expect(stored).toMatchObject({ sqs: { access_key_id_hint: '' } });
  });

  it('takes http sources: a verifier, or a provider with Convoy’s "" and null blocks', () => {
    const body = createSourceBodySchema.parse({
      name: 'gh',
      type: 'http',
      provider: '',
      verifier: {
        type: 'hmac',
        hmac: { header: 'X-Sig', hash: 'SHA512', secret: 's', encoding: 'base64' },
        basic_auth: null,
        api_key: null,
      },
    });
    expect(body).toMatchObject({ type: 'http', is_disabled: false, verifier: { type: 'hmac' } });
    expect(body.type === 'http' && body.provider).toBeUndefined();
    expect(
      createSourceBodySchema.parse({ name: 'gh', type: 'http', provider: 'github' }),
    ).toMatchObject({ provider: 'github' });
    const problems = (value: unknown) =>
      (createSourceBodySchema.safeParse(value).error?.issues ?? []).map((issue) =>
        issue.path.join('.'),
      );
    expect(problems({ name: 'x', type: 'http', provider: 'gitlab' })).toEqual(['provider']);
    expect(
      problems({ name: 'x', type: 'http', verifier: { type: 'hmac', hmac: { hash: 'MD5' } } }),
    ).toEqual(['verifier.hmac.hash']);
    expect(
      problems({
        name: 'x',
        type: 'http',
        verifier: { type: 'api_key', api_key: { header_name: 'a b' } },
      }),
    ).toEqual(['verifier.api_key.header_name']);
  });
});
