import { z } from 'zod';

const port = (fallback: number) =>
  z.coerce
    .number()
    .int()
    .min(1)
    .max(65_535)
    .default(fallback)
    .describe(
      'HTTP port: the API (ingest-api), /health, /health/live, /health/ready and /metrics.',
    );
const csv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

/** 32 random bytes, base64: the AES-256-GCM key for secrets at rest (broker credentials). */
const encryptionKey = z
  .string({ error: 'is required (32 random bytes, base64: openssl rand -base64 32)' })
  .refine(
    (value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32,
    { error: 'must be 32 bytes, base64 (openssl rand -base64 32)' },
  )
  .describe(
    'AES-256-GCM key for credentials at rest (broker sources, endpoint OAuth2 secrets and mTLS keys): 32 random bytes, base64 (openssl rand -base64 32). Changing it makes stored credentials unreadable.',
  );
/** Broker messages larger than this are refused (recorded as too_large), whatever the broker allows. */
const ingestMaxMessageBytes = z.coerce
  .number()
  .int()
  .min(1024)
  .max(900_000)
  .default(256 * 1024)
  .describe(
    'Broker messages larger than this are refused (recorded as too_large), whatever the broker allows.',
  );

const sourcesRefreshMs = z.coerce
  .number()
  .int()
  .min(100)
  .default(5000)
  .describe('How often the ingester re-reads its broker sources from the database.');
const egressAllow = csv
  .default([])
  .describe(
    "CIDRs that outbound connections made for a tenant (deliveries, meta events, an SQS source's own endpoint) may reach despite the SSRF guard (comma-separated, e.g. 127.0.0.0/8 for local use). Keep empty in production.",
  );

export const commonEnvSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('production')
    .describe('Runtime mode: production in deployments; npm start and the tests set their own.'),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .describe('Lowest level of the JSON log lines written to stdout.'),
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url()
    .optional()
    .describe(
      'OpenTelemetry: base URL of an OTLP/HTTP collector (spans go to <url>/v1/traces). Unset: tracing is off. The exporter also reads the other standard OTEL_EXPORTER_OTLP_* variables (headers, timeout).',
    ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z
    .url()
    .optional()
    .describe(
      'OpenTelemetry: full URL for spans; overrides OTEL_EXPORTER_OTLP_ENDPOINT for traces.',
    ),
  OTEL_SERVICE_NAME: z
    .string()
    .optional()
    .describe("OpenTelemetry: the spans' service.name (default flotilla-<service>)."),
  OTEL_SDK_DISABLED: z
    .enum(['true', 'false'])
    .optional()
    .describe('OpenTelemetry: true turns tracing off even when an endpoint is set.'),
  OTEL_TRACES_EXPORTER: z
    .string()
    .optional()
    .describe(
      'OpenTelemetry: none turns tracing off; otlp (the only exporter here) is the default.',
    ),
  SHUTDOWN_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(25_000)
    .describe(
      'How long graceful shutdown (drain requests and consumer batches) may take before the process exits anyway.',
    ),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(30_000)
    .describe(
      'How long a client may take to send a whole request (headers and body); after it the connection is answered 408 and closed, so slow or stalled uploads cannot hold memory and sockets.',
    ),
  HTTP_HEADERS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .max(600_000)
    .default(10_000)
    .describe(
      "How long a client may take to send a request's headers (at most HTTP_REQUEST_TIMEOUT_MS); after it the connection is closed.",
    ),
});

export const databaseEnvSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'is required (postgres://user@host:5432/db)' })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .describe(
      'PostgreSQL connection URL (postgres:// or postgresql://; a Prisma-style ?schema= is honoured).',
    ),
  DATABASE_POOL_SIZE: z.coerce
    .number()
    .int()
    .min(1)
    .max(200)
    .default(10)
    .describe(
      "Connections per process to PostgreSQL. Keep replicas x pool size under the server's max_connections.",
    ),
});

/** A file path (PEM), read at start-up. */
const pemFile = z.string().min(1);

export const KAFKA_SASL_MECHANISMS = [
  'plain',
  'scram-sha-256',
  'scram-sha-512',
  'oauthbearer',
] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export const kafkaEnvSchema = z.object({
  KAFKA_BROKERS: csv
    .pipe(
      z
        .array(z.string().regex(/^[^:\s]+:\d+$/, 'each broker must be host:port'))
        .min(1, 'needs at least one host:port'),
    )
    .describe('Bootstrap brokers, host:port,... (comma-separated).'),
  KAFKA_CLIENT_ID: z
    .string()
    .min(1)
    .default('flotilla')
    .describe('Kafka client id prefix; each service appends its own name.'),
  KAFKA_SESSION_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(3000)
    .max(300_000)
    .default(30_000)
    .describe(
      'Consumer group session timeout: how long a silent member keeps its partitions, so a replica that crashed (or was killed) holds up its partitions about this long; one stopped with SIGTERM leaves its group at once. Some brokers, such as the local mock (npm start and the tests set 3000), also hold every rebalance this long.',
    ),
  KAFKA_SSL: z
    .stringbool()
    .default(false)
    .describe(
      'TLS to the brokers. The server certificate is checked against the system CA roots unless KAFKA_SSL_CA_FILE is set.',
    ),
  KAFKA_SSL_CA_FILE: pemFile
    .optional()
    .describe(
      "PEM file of the CA(s) that signed the brokers' certificates; replaces the system roots. Needs KAFKA_SSL=true.",
    ),
  KAFKA_SSL_CERT_FILE: pemFile
    .optional()
    .describe(
      'PEM file of a client certificate, for brokers that authenticate clients by TLS (mTLS). Needs KAFKA_SSL_KEY_FILE.',
    ),
  KAFKA_SSL_KEY_FILE: pemFile
    .optional()
    .describe("PEM file of the client certificate's private key. Needs KAFKA_SSL_CERT_FILE."),
  KAFKA_SSL_KEY_PASSWORD: z
    .string()
    .optional()
    .describe('Passphrase of KAFKA_SSL_KEY_FILE, when it is encrypted.'),
  KAFKA_SASL_MECHANISM: z
    .string()
    .toLowerCase()
    .pipe(z.enum(KAFKA_SASL_MECHANISMS))
    .optional()
    .describe(
      'SASL authentication (case-insensitive). Unset: none. plain and scram-* need KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD; oauthbearer needs KAFKA_SSL=true and KAFKA_SASL_AWS_REGION.',
    ),
  KAFKA_SASL_USERNAME: z.string().optional().describe('User for plain and scram-*.'),
  KAFKA_SASL_PASSWORD: z.string().optional().describe('Password for plain and scram-*.'),
  KAFKA_SASL_OAUTHBEARER_PROVIDER: z
    .enum(['aws-msk-iam'])
    .default('aws-msk-iam')
    .describe(
      "Where oauthbearer tokens come from: aws-msk-iam signs them with the process's AWS credentials (IRSA, EKS Pod Identity, environment, ...) for Amazon MSK IAM access control.",
    ),
  KAFKA_SASL_AWS_REGION: z
    .string()
    .min(1)
    .optional()
    .describe("aws-msk-iam: the MSK cluster's AWS region."),
  KAFKA_SASL_AWS_ROLE_ARN: z
    .string()
    .min(1)
    .optional()
    .describe(
      "aws-msk-iam: a role to assume for the tokens (default: the credential chain's own identity).",
    ),
  KAFKA_IDEMPOTENT_PRODUCER: z
    .stringbool()
    .default(true)
    .describe(
      "Idempotent producers (no duplicates or reordering from the producer's own retries). false only for a broker that cannot serve them (the local mock: npm start, tests, benchmarks).",
    ),
});
export type KafkaEnv = z.infer<typeof kafkaEnvSchema>;

/**
 * The Kafka settings that only make sense together, checked at start-up so a wrong combination is
 * a configuration error naming the variable, not a failed handshake later.
 */
export function checkKafkaEnv(env: KafkaEnv, ctx: z.RefinementCtx): void {
  const problem = (variable: keyof KafkaEnv, message: string): void => {
    ctx.addIssue({ code: 'custom', path: [variable], message });
  };
  if (!env.KAFKA_SSL) {
    for (const variable of [
      'KAFKA_SSL_CA_FILE',
      'KAFKA_SSL_CERT_FILE',
      'KAFKA_SSL_KEY_FILE',
      'KAFKA_SSL_KEY_PASSWORD',
    ] as const) {
      if (env[variable] !== undefined) problem(variable, 'needs KAFKA_SSL=true');
    }
  }
  if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined)) {
    const missing =
      env.KAFKA_SSL_CERT_FILE === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE';
    problem(missing, 'is required: a client certificate and its key go together');
  }
  const mechanism = env.KAFKA_SASL_MECHANISM;
  if (mechanism === undefined) {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (env[variable] !== undefined) problem(variable, 'needs KAFKA_SASL_MECHANISM');
    }
  } else if (mechanism === 'oauthbearer') {
    if (env.KAFKA_SASL_AWS_REGION === undefined)
      problem(
        'KAFKA_SASL_AWS_REGION',
        'is required for KAFKA_SASL_MECHANISM=oauthbearer (aws-msk-iam)',
      );
    if (!env.KAFKA_SSL)
      problem('KAFKA_SSL', 'must be true for aws-msk-iam (Amazon MSK accepts IAM only over TLS)');
  } else {
    for (const variable of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD'] as const) {
      if (!env[variable]) problem(variable, `is required for KAFKA_SASL_MECHANISM=${mechanism}`);
    }
  }
}

export const ingestApiEnvSchema = commonEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(kafkaEnvSchema.shape)
  .extend({
    PORT: port(5005),
    FLOTILLA_ADMIN_TOKEN: z
      .string()
      .min(16, 'must be at least 16 characters')
      .describe('Instance admin token for the management API (at least 16 characters).'),
    FLOTILLA_EGRESS_ALLOW: egressAllow,
    FLOTILLA_ENCRYPTION_KEY: encryptionKey,
    API_AUTH_FAILURES_PER_MINUTE: z.coerce
      .number()
      .int()
      .min(0)
      .max(1_000_000)
      .default(60)
      .describe(
        'Failed API-key authentications one client address may make per minute and replica (0 turns the limit off). Beyond it: 429 with Retry-After, except for keys this replica already authenticated. Refused keys are also remembered for 10 s, so retrying one costs no database query.',
      ),
    CHECK_RESPONSES: z
      .stringbool()
      .default(false)
      .describe(
        'Check every successful answer against the schema its route documents (the OpenAPI document): a mismatch answers 500 naming the field. For tests (the e2e suite turns it on); it costs a parse of every answer.',
      ),
    MAX_ENDPOINTS_PER_PROJECT: z.coerce
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(2000)
      .describe(
        'Endpoints one project may have (live ones); creating one more is a 400 naming the limit.',
      ),
    API_RATE_LIMIT_PER_SECOND: z.coerce
      .number()
      .min(0)
      .max(1_000_000)
      .default(1000)
      .describe(
        'Requests per second one project API key may make to this replica (a token bucket; 0 turns the limit off). Beyond it: 429 with Retry-After. The admin token is not limited.',
      ),
    API_RATE_LIMIT_BURST: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .optional()
      .describe(
        "The bucket's size: requests a key may make at once after being idle (default: 2 s worth).",
      ),
    FLOTILLA_PUBLIC_URL: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        "Where users reach this API (e.g. https://hooks.example.com), for the links it makes (portal links' url). Default: the scheme and Host of the request that made the link.",
      ),
    FLOTILLA_UI_DIR: z
      .string()
      .min(1)
      .optional()
      .describe(
        'The built dashboard served under /ui (default: dist/apps/dashboard beside the service).',
      ),
    PORTAL_FRAME_ANCESTORS: z
      .string()
      .min(1)
      .default('*')
      .describe(
        'Who may embed the customer portal (/ui/portal) in an iframe: a CSP frame-ancestors source list. The operator dashboard itself may never be framed.',
      ),
  })
  .superRefine(checkKafkaEnv);
export type IngestApiEnv = z.infer<typeof ingestApiEnvSchema>;

export const dispatcherEnvSchema = commonEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(kafkaEnvSchema.shape)
  .extend({
    PORT: port(5006),
    FLOTILLA_EGRESS_ALLOW: egressAllow,
    FLOTILLA_ENCRYPTION_KEY: encryptionKey,
    DISPATCH_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(256)
      .describe('Concurrent HTTP deliveries across all endpoints of one dispatcher.'),
    DISPATCH_LOCAL_HANDOFF: z
      .stringbool()
      .default(true)
      .describe(
        "A new delivery whose endpoint this replica's deliver stage owns is sent in-process right after it is written, without a second Kafka hop (ordered endpoints and other replicas' endpoints still go through the deliveries topic). false sends every delivery through the topic.",
      ),
    CONSUMER_BATCH_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe('Route stage: messages taken from the queue into one unit of work.'),
    CONSUMER_MAX_IN_FLIGHT: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe('Route stage: units of work in flight per consumer.'),
    DELIVER_BATCH_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe(
        "Deliver stage: messages per unit of work. Its units wait on HTTP, so it keeps many small ones in flight: a unit held by a slow endpoint delays its offsets' commit, not other endpoints' sends.",
      ),
    DELIVER_MAX_IN_FLIGHT: z.coerce
      .number()
      .int()
      .min(1)
      .max(256)
      .default(32)
      .describe('Deliver stage: units of work in flight per consumer.'),
    KAFKA_FETCH_MAX_WAIT_MS: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe(
        'Dispatcher consumers: how long the broker may hold a fetch that found no new message. A real broker answers as soon as one arrives, so a long wait costs no latency and keeps idle replicas from polling; the local mock broker answers only when the wait ends (npm start and the tests set 20).',
      ),
    BREAKER_ERROR_THRESHOLD_PERCENT: z.coerce
      .number()
      .min(1)
      .max(100)
      .default(70)
      .describe("Circuit breaker per endpoint (Convoy's defaults): trips at this failure share..."),
    BREAKER_WINDOW_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(300)
      .describe('...over this window...'),
    BREAKER_MIN_REQUESTS: z.coerce
      .number()
      .int()
      .min(1)
      .default(10)
      .describe('...once it has seen this many requests in it;'),
    BREAKER_RESET_SECONDS: z.coerce
      .number()
      .min(0.1)
      .default(30)
      .describe('half-open (one trial request) after this long;'),
    BREAKER_DISABLE_AFTER_TRIPS: z.coerce
      .number()
      .int()
      .min(1)
      .default(10)
      .describe(
        "disable the endpoint after this many trips in a row, when the project's disable_endpoint is on.",
      ),
  })
  .superRefine(checkKafkaEnv);
export type DispatcherEnv = z.infer<typeof dispatcherEnvSchema>;

export const schedulerEnvSchema = commonEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(kafkaEnvSchema.shape)
  .extend({
    PORT: port(5007),
    SCHEDULER_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(10)
      .default(250)
      .describe('How often the scheduler claims due deliveries (retries, lost messages).'),
    SCHEDULER_BATCH_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(1000)
      .describe('Due deliveries claimed per round.'),
    SCHEDULER_LEASE_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .default(60)
      .describe('How long a claim holds before another scheduler may take the delivery again.'),
    RETENTION_INTERVAL_MS: z.coerce
      .number()
      .int()
      .min(0)
      .default(60_000)
      .describe(
        "How often the scheduler deletes events older than their project's retention_policy, with their deliveries and attempts. 0 turns retention off.",
      ),
    RETENTION_BATCH_SIZE: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(500)
      .describe(
        'Events deleted per statement (with their deliveries and attempts); small batches keep each transaction short.',
      ),
    RETENTION_DUTY_PERCENT: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(25)
      .describe(
        "The share of time retention may spend deleting: after each batch it rests until its deletes are at most this percent of the time (rests are capped at 5 s). 25 kept ingest's p99 at 1,000 events/s where 50 tripled it (docs/scaling.md); 100 deletes without resting.",
      ),
  })
  .superRefine(checkKafkaEnv);
export type SchedulerEnv = z.infer<typeof schedulerEnvSchema>;

export const pubsubIngesterEnvSchema = commonEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(kafkaEnvSchema.shape)
  .extend({
    PORT: port(5008),
    PUBSUB_EMULATOR_HOST: z
      .string()
      .optional()
      .describe(
        'Development only: the Google Pub/Sub emulator (host:port). Never set in production.',
      ),
    SOURCES_REFRESH_MS: sourcesRefreshMs,
    FLOTILLA_ENCRYPTION_KEY: encryptionKey,
    INGEST_MAX_MESSAGE_BYTES: ingestMaxMessageBytes,
    PUBSUB_MAX_MESSAGES_PER_WORKER: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(200)
      .describe(
        'Flow control: messages held un-acked per worker (streaming-pull stream) of a source.',
      ),
  })
  .superRefine(checkKafkaEnv);
export type PubsubIngesterEnv = z.infer<typeof pubsubIngesterEnvSchema>;

export const sqsIngesterEnvSchema = commonEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(kafkaEnvSchema.shape)
  .extend({
    PORT: port(5009),
    FLOTILLA_EGRESS_ALLOW: egressAllow,
    AWS_ENDPOINT_URL_SQS: z
      .url()
      .optional()
      .describe('Development only: the SQS endpoint (an emulator). Never set in production.'),
    SOURCES_REFRESH_MS: sourcesRefreshMs,
    FLOTILLA_ENCRYPTION_KEY: encryptionKey,
    INGEST_MAX_MESSAGE_BYTES: ingestMaxMessageBytes,
    SQS_VISIBILITY_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(2)
      .max(43_200)
      .default(30)
      .describe(
        'How long a received message stays hidden; extended while Kafka has not acknowledged it yet.',
      ),
    SQS_WAIT_TIME_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(20)
      .default(20)
      .describe('Long polling: how long one receive waits for messages.'),
  })
  .superRefine(checkKafkaEnv);
export type SqsIngesterEnv = z.infer<typeof sqsIngesterEnvSchema>;

export const amqpIngesterEnvSchema = commonEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(kafkaEnvSchema.shape)
  .extend({
    PORT: port(5010),
    FLOTILLA_EGRESS_ALLOW: egressAllow,
    SOURCES_REFRESH_MS: sourcesRefreshMs,
    FLOTILLA_ENCRYPTION_KEY: encryptionKey,
    INGEST_MAX_MESSAGE_BYTES: ingestMaxMessageBytes,
    AMQP_PREFETCH_PER_WORKER: z.coerce
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(200)
      .describe(
        'Backpressure: messages RabbitMQ hands each worker (consumer channel) of a source before they are acked (basic.qos prefetch).',
      ),
    AMQP_HEARTBEAT_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(600)
      .default(30)
      .describe(
        'AMQP heartbeat: a broker connection silent for about twice this long is considered dead and the source restarts (0 turns heartbeats off).',
      ),
  })
  .superRefine(checkKafkaEnv);
export type AmqpIngesterEnv = z.infer<typeof amqpIngesterEnvSchema>;
