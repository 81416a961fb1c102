import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { dispatcherEnvSchema } from '@flotilla/contracts';
import {
  cachedOauthBearerToken,
  kafkaClientOptionsFromEnv,
  kafkaSecurityConfig,
  OAUTHBEARER_REFRESH_MARGIN_MS,
  type MskTokenGenerator,
} from './kafka-client';

const base = {
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/flotilla',
  FLOTILLA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
  KAFKA_BROKERS: 'b-1.example.com:9096,b-2.example.com:9096',
};
const pems: Record<string, string> = {
  '/etc/kafka/ca.pem': 'CA PEM',
  '/etc/kafka/tls.crt': 'CERT PEM',
  '/etc/kafka/tls.key': 'KEY PEM',
};
const readPem = (path: string): string => {
  const pem = pems[path];
  if (pem === undefined) throw new Error(`no such file ${path}`);
  return pem;
};

function securityFor(
  env: Record<string, string>,
  mskToken?: (region: string, roleArn?: string) => MskTokenGenerator,
) {
  const options = kafkaClientOptionsFromEnv(dispatcherEnvSchema.parse({ ...base, ...env }), 'x');
  return kafkaSecurityConfig(options, { readPem, ...(mskToken && { mskToken }) });
}

describe('kafkaClientOptionsFromEnv', () => {
  it('names the client after the service and keeps the broker list', () => {
    const options = kafkaClientOptionsFromEnv(dispatcherEnvSchema.parse(base), 'dispatcher');
    expect(options).toEqual({
      brokers: ['b-1.example.com:9096', 'b-2.example.com:9096'],
      clientId: 'flotilla-dispatcher',
      idempotentProducer: true,
    });
  });

  it('passes KAFKA_IDEMPOTENT_PRODUCER=false on', () => {
    const env = dispatcherEnvSchema.parse({ ...base, KAFKA_IDEMPOTENT_PRODUCER: 'false' });
    expect(kafkaClientOptionsFromEnv(env, 'dispatcher').idempotentProducer).toBe(false);
  });
});

describe('kafkaSecurityConfig', () => {
  it('is plaintext without SASL by default', () => {
    expect(securityFor({})).toEqual({});
  });

  it('uses TLS with the system roots when only KAFKA_SSL is set', () => {
    expect(securityFor({ KAFKA_SSL: 'true' })).toEqual({ ssl: true });
  });

  it('reads the CA, client certificate and key files into the TLS options', () => {
    expect(
      securityFor({
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: '/etc/kafka/ca.pem',
        KAFKA_SSL_CERT_FILE: '/etc/kafka/tls.crt',
        KAFKA_SSL_KEY_FILE: '/etc/kafka/tls.key',
        KAFKA_SSL_KEY_PASSWORD: 'pass',
      }),
    ).toEqual({ ssl: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM', passphrase: 'pass' } });
  });

  it('fails at start-up, naming the file, when a PEM file cannot be read', () => {
    const options = { tls: { caFile: '/nope/ca.pem' } };
    expect(() => kafkaSecurityConfig(options)).toThrow(/Kafka TLS: cannot read \/nope\/ca\.pem/);
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'passes %s with its user and password',
    (mechanism) => {
      expect(
        securityFor({
          KAFKA_SSL: 'true',
          KAFKA_SASL_MECHANISM: mechanism.toUpperCase(),
          KAFKA_SASL_USERNAME: 'flotilla',
          KAFKA_SASL_PASSWORD: 'secret',
        }),
      ).toEqual({ ssl: true, sasl: { mechanism, username: 'flotilla', password: 'secret' } });
    },
  );

  it('signs AWS MSK IAM tokens for the configured region and role', async () => {
    const calls: { region: string; roleArn: string | undefined }[] = [];
    const config = securityFor(
      {
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'oauthbearer',
        KAFKA_SASL_AWS_REGION: 'eu-west-1',
        KAFKA_SASL_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/flotilla',
      },
      (region, roleArn) => {
        calls.push({ region, roleArn });
        return () => Promise.resolve({ token: 'signed', expiryTime: Date.now() + 900_000 });
      },
    );
    expect(config.ssl).toBe(true);
    const sasl = config.sasl;
    if (!sasl || !('oauthBearerProvider' in sasl)) throw new Error('no oauthbearer provider');
    expect(sasl.mechanism).toBe('oauthbearer');
    await expect(sasl.oauthBearerProvider()).resolves.toEqual({ value: 'signed' });
    expect(calls).toEqual([
      { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/flotilla' },
    ]);
  });
});

describe('AWS MSK IAM tokens', () => {
  it('are presigned kafka-cluster:Connect URLs for the region (the signer, offline)', async () => {
    const { token } = await generateAuthTokenFromCredentialsProvider({
      region: 'eu-west-1',
      awsCredentialsProvider: () =>
        Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-real-secret' }),
    });
    const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
    expect(url.host).toBe('kafka.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('Action')).toBe('kafka-cluster:Connect');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/kafka-cluster\/aws4_request$/,
    );
  });
});

describe('cachedOauthBearerToken', () => {
  function counter(expiresInMs: number, now: () => number) {
    let signed = 0;
    const generate: MskTokenGenerator = () => {
      signed += 1;
      return Promise.resolve({ token: `t${signed}`, expiryTime: now() + expiresInMs });
    };
    return { generate, signed: () => signed };
  }

  it('serves one token to every connection until it nears expiry', async () => {
    let clock = 0;
    const now = () => clock;
    const tokens = counter(900_000, now);
    const provider = cachedOauthBearerToken(tokens.generate, now);
    await expect(provider()).resolves.toEqual({ value: 't1' });
    clock = 900_000 - OAUTHBEARER_REFRESH_MARGIN_MS - 1;
    await expect(provider()).resolves.toEqual({ value: 't1' });
    clock += 1;
    await expect(provider()).resolves.toEqual({ value: 't2' });
    expect(tokens.signed()).toBe(2);
  });

  it('signs once for concurrent connections', async () => {
    const tokens = counter(900_000, () => 0);
    const provider = cachedOauthBearerToken(tokens.generate, () => 0);
    await Promise.all([provider(), provider(), provider()]);
    expect(tokens.signed()).toBe(1);
  });

  it('tries again after a failed signing', async () => {
    let fail = true;
    const provider = cachedOauthBearerToken(() =>
      fail
        ? Promise.reject(new Error('no credentials'))
        : Promise.resolve({ token: 'ok', expiryTime: Date.now() + 900_000 }),
    );
    await expect(provider()).rejects.toThrow('no credentials');
    fail = false;
    await expect(provider()).resolves.toEqual({ value: 'ok' });
  });
});
