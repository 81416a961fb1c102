import { dispatcherEnvSchema } from './env.schema';

const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/flotilla',
  FLOTILLA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  KAFKA_BROKERS: 'b-1.example.com:9096',
};

function problems(env: Record<string, string>): string[] {
  const result = dispatcherEnvSchema.safeParse({ ...base, ...env });
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('Kafka security settings', () => {
  it('default to plaintext, no SASL, idempotent producers', () => {
    const env = dispatcherEnvSchema.parse(base);
    expect(env.KAFKA_SSL).toBe(false);
    expect(env.KAFKA_SASL_MECHANISM).toBeUndefined();
    expect(env.KAFKA_IDEMPOTENT_PRODUCER).toBe(true);
  });

  it('read the mechanism case-insensitively, as Kafka tools spell it', () => {
    const env = dispatcherEnvSchema.parse({
      ...base,
      KAFKA_SSL: 'true',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'flotilla',
      KAFKA_SASL_PASSWORD: 'secret',
    });
    expect(env.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
  });

  it('refuse an unknown mechanism, naming the variable', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'gssapi' })).toEqual([
      expect.stringMatching(/^KAFKA_SASL_MECHANISM: /),
    ]);
  });

  it('refuse TLS files without KAFKA_SSL=true', () => {
    expect(problems({ KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem' })).toEqual([
      'KAFKA_SSL_CA_FILE: needs KAFKA_SSL=true',
    ]);
  });

  it('refuse a client certificate without its key', () => {
    expect(problems({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: '/etc/kafka/tls.crt' })).toEqual([
      'KAFKA_SSL_KEY_FILE: is required: a client certificate and its key go together',
    ]);
  });

  it('require a user and password for PLAIN and SCRAM', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'flotilla' })).toEqual([
      'KAFKA_SASL_PASSWORD: is required for KAFKA_SASL_MECHANISM=plain',
    ]);
  });

  it('refuse credentials without a mechanism', () => {
    expect(problems({ KAFKA_SASL_USERNAME: 'flotilla' })).toEqual([
      'KAFKA_SASL_USERNAME: needs KAFKA_SASL_MECHANISM',
    ]);
  });

  it('require a region and TLS for AWS MSK IAM', () => {
    expect(problems({ KAFKA_SASL_MECHANISM: 'oauthbearer' })).toEqual([
      'KAFKA_SASL_AWS_REGION: is required for KAFKA_SASL_MECHANISM=oauthbearer (aws-msk-iam)',
      'KAFKA_SSL: must be true for aws-msk-iam (Amazon MSK accepts IAM only over TLS)',
    ]);
  });

  it('turn idempotent producers off only when told', () => {
    expect(
      dispatcherEnvSchema.parse({ ...base, KAFKA_IDEMPOTENT_PRODUCER: 'false' })
        .KAFKA_IDEMPOTENT_PRODUCER,
    ).toBe(false);
  });
});
