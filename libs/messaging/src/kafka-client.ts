import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import {
  Kafka,
  logLevel,
  type KafkaConfig,
  type LogEntry,
  type OauthbearerProviderResponse,
  type Producer,
  type ProducerConfig,
  type RetryOptions,
  type SASLOptions,
} from 'kafkajs';
import type { KafkaEnv } from '@flotilla/contracts';
import type { Logger } from '@flotilla/observability';
import { patchKafkajsRequestQueue } from './request-queue.patch';

/** TLS to the brokers: the server is verified against the system roots unless `caFile` is given. */
export interface KafkaTlsOptions {
  caFile?: string;
  /** Client certificate and key (PEM) for mutual TLS. */
  certFile?: string;
  keyFile?: string;
  keyPassword?: string;
}

export type KafkaSaslOptions =
  | { mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  | { mechanism: 'oauthbearer'; provider: 'aws-msk-iam'; region: string; roleArn?: string };

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
  /** Absent: plaintext. */
  tls?: KafkaTlsOptions;
  sasl?: KafkaSaslOptions;
  /**
   * Whether producers made from this client are idempotent (default true). The broker's ability
   * is a fact of the deployment, so it is decided here, once, for every producer of the client.
   */
  idempotentProducer?: boolean;
}

/** The client options of one service from its parsed environment (see `kafkaEnvSchema`). */
export function kafkaClientOptionsFromEnv(env: KafkaEnv, service: string): KafkaClientOptions {
  return {
    brokers: env.KAFKA_BROKERS,
    clientId: `${env.KAFKA_CLIENT_ID}-${service}`,
    ...(env.KAFKA_SSL && {
      tls: {
        ...(env.KAFKA_SSL_CA_FILE !== undefined && { caFile: env.KAFKA_SSL_CA_FILE }),
        ...(env.KAFKA_SSL_CERT_FILE !== undefined && { certFile: env.KAFKA_SSL_CERT_FILE }),
        ...(env.KAFKA_SSL_KEY_FILE !== undefined && { keyFile: env.KAFKA_SSL_KEY_FILE }),
        ...(env.KAFKA_SSL_KEY_PASSWORD !== undefined && {
          keyPassword: env.KAFKA_SSL_KEY_PASSWORD,
        }),
      },
    }),
    ...(env.KAFKA_SASL_MECHANISM !== undefined && { sasl: saslFromEnv(env) }),
    idempotentProducer: env.KAFKA_IDEMPOTENT_PRODUCER,
  };
}

function saslFromEnv(env: KafkaEnv): KafkaSaslOptions {
  const mechanism = env.KAFKA_SASL_MECHANISM;
  // checkKafkaEnv has already refused every combination that would reach these throws.
  if (mechanism === 'oauthbearer') {
    if (env.KAFKA_SASL_AWS_REGION === undefined) throw new Error('KAFKA_SASL_AWS_REGION is unset');
    return {
      mechanism,
      provider: env.KAFKA_SASL_OAUTHBEARER_PROVIDER,
      region: env.KAFKA_SASL_AWS_REGION,
      ...(env.KAFKA_SASL_AWS_ROLE_ARN !== undefined && { roleArn: env.KAFKA_SASL_AWS_ROLE_ARN }),
    };
  }
  if (mechanism === undefined || env.KAFKA_SASL_USERNAME === undefined)
    throw new Error('KAFKA_SASL_MECHANISM or KAFKA_SASL_USERNAME is unset');
  return {
    mechanism,
    username: env.KAFKA_SASL_USERNAME,
    password: env.KAFKA_SASL_PASSWORD ?? '',
  };
}

export type ReadPem = (path: string) => string;
export type MskTokenGenerator = () => Promise<{ token: string; expiryTime: number }>;

/** kafkajs's `ssl` and `sasl` settings for the options; PEM files are read once, here. */
export function kafkaSecurityConfig(
  options: Pick<KafkaClientOptions, 'tls' | 'sasl'>,
  dependencies: {
    readPem?: ReadPem;
    mskToken?: (region: string, roleArn?: string) => MskTokenGenerator;
  } = {},
): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const readPem = dependencies.readPem ?? readPemFile;
  const mskToken = dependencies.mskToken ?? awsMskIamToken;
  const config: Pick<KafkaConfig, 'ssl' | 'sasl'> = {};
  if (options.tls) config.ssl = tlsConnectionOptions(options.tls, readPem);
  if (options.sasl) config.sasl = saslOptions(options.sasl, mskToken);
  return config;
}

function tlsConnectionOptions(tls: KafkaTlsOptions, readPem: ReadPem): ConnectionOptions | true {
  const options: ConnectionOptions = {};
  if (tls.caFile !== undefined) options.ca = readPem(tls.caFile);
  if (tls.certFile !== undefined) options.cert = readPem(tls.certFile);
  if (tls.keyFile !== undefined) options.key = readPem(tls.keyFile);
  if (tls.keyPassword !== undefined) options.passphrase = tls.keyPassword;
  // `true` is kafkajs's TLS with Node's defaults: the system roots, hostname verification.
  return Object.keys(options).length === 0 ? true : options;
}

function saslOptions(
  sasl: KafkaSaslOptions,
  mskToken: (region: string, roleArn?: string) => MskTokenGenerator,
): SASLOptions {
  switch (sasl.mechanism) {
    case 'plain':
      return { mechanism: 'plain', username: sasl.username, password: sasl.password };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', username: sasl.username, password: sasl.password };
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    case 'oauthbearer':
      return {
        mechanism: 'oauthbearer',
        oauthBearerProvider: cachedOauthBearerToken(mskToken(sasl.region, sasl.roleArn)),
      };
  }
}

function readPemFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `Kafka TLS: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** Tokens are signed with the pod's AWS credentials (IRSA, EKS Pod Identity, env, or the role). */
function awsMskIamToken(region: string, roleArn?: string): MskTokenGenerator {
  return async () => {
    // Loaded only where MSK IAM is configured: the AWS SDK behind it costs every start-up ~1 s of CPU.
    const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
    return generateAuthToken({
      region,
      ...(roleArn !== undefined && { awsRoleArn: roleArn, awsRoleSessionName: 'flotilla' }),
    });
  };
}

/** Renew this long before a token expires, so a (re)connect never presents an expired one. */
export const OAUTHBEARER_REFRESH_MARGIN_MS = 60_000;

/**
 * kafkajs asks for a token on every connection and re-authentication; one token serves them all
 * until it nears expiry, and concurrent connects share one signing.
 */
export function cachedOauthBearerToken(
  generate: MskTokenGenerator,
  now: () => number = Date.now,
): () => Promise<OauthbearerProviderResponse> {
  let latest: { token: string; expiryTime: number } | undefined;
  let signing: Promise<{ token: string; expiryTime: number }> | undefined;
  return async () => {
    if (latest && latest.expiryTime - OAUTHBEARER_REFRESH_MARGIN_MS > now())
      return { value: latest.token };
    // A failed signing is not kept: every waiter sees the error, the next connect signs again.
    signing ??= generate().finally(() => {
      signing = undefined;
    });
    latest = await signing;
    return { value: latest.token };
  };
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/**
 * Producers keep their bounded retries (a send must fail fast enough to answer 503): ids make
 * every consumer idempotent, so kafkajs's warning that bounded retries weaken exactly-once does
 * not concern us.
 */
const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

/**
 * The retries kafkajs runs inside one produce attempt (reconnecting, refreshing metadata). With the
 * client's schedule below each reconnect took about 1.4 s (NODE_ENV=test) or 3 s, twice per failed
 * produce, so ingest answered 503 only after 2.7-6 s while Kafka was down. Producers keep one quick
 * retry here (the next seed broker in the list, say), so the producer's own retries
 * (`PRODUCE_RETRY`, kafka-producer.service.ts) are the whole budget of a send.
 */
export const PRODUCER_CLUSTER_RETRY: RetryOptions = {
  retries: 1,
  initialRetryTime: 50,
  maxRetryTime: 100,
  factor: 0.2,
  multiplier: 2,
};

/**
 * A kafkajs client whose producers are idempotent or not as the deployment's broker allows, and
 * retry briefly inside a produce (`PRODUCER_CLUSTER_RETRY`). kafkajs takes a cluster's retries from
 * its client, so producers come from a second client that differs only in that.
 */
class ConfiguredKafka extends Kafka {
  private readonly producerClient: Kafka;

  constructor(
    config: KafkaConfig,
    private readonly idempotentProducer: boolean,
  ) {
    super(config);
    this.producerClient = new Kafka({ ...config, retry: PRODUCER_CLUSTER_RETRY });
  }

  override producer(config: ProducerConfig = {}): Producer {
    return this.producerClient.producer({ ...config, idempotent: this.idempotentProducer });
  }
}

export function createKafkaClient(options: KafkaClientOptions, logger: Logger): Kafka {
  patchKafkajsRequestQueue();
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new ConfiguredKafka(
    {
      clientId: options.clientId,
      brokers: [...options.brokers],
      ...kafkaSecurityConfig(options),
      connectionTimeout: 3000,
      requestTimeout: 30_000,
      // Reconnects are ours to drive (the producer and consumer loops retry forever with backoff).
      retry: { initialRetryTime: 100, maxRetryTime: 5000, retries: 5 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...extra } = log;
          const method = message.startsWith(BOUNDED_RETRIES_WARNING)
            ? 'debug'
            : (levels[level] ?? 'info');
          kafkaLogger[method](extra, message);
        },
    },
    options.idempotentProducer ?? true,
  );
}
