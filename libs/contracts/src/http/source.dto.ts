import { z } from 'zod';
import { ingestFailureReasonSchema } from '../broker/broker-message';
import { brokerKindSchema, decodeServiceAccount } from '../broker/source-config';
import {
  headerNameSchema,
  sourceProviderSchema,
  verifierTypeSchema,
} from '../http-source/http-source-verifier';
import { idempotencyKeysSchema } from '../http-source/idempotency-key-location';
import { pageQuerySchema } from './pagination.dto';
import { encodingSchema, hashSchema } from './project.dto';

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}(\.fifo)?$/;
const REGION = /^[a-z0-9-]{2,32}$/;
const SUBSCRIPTION = /^(projects\/[^/\s]+\/subscriptions\/)?[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/;

const serviceAccount = z
  .string()
  .min(1)
  .max(64 * 1024)
  .refine(
    (value) => {
      const key = decodeServiceAccount(value);
      return (
        key !== undefined &&
        (key['type'] === undefined || key['type'] === 'service_account') &&
        typeof key['client_email'] === 'string' &&
        typeof key['private_key'] === 'string'
      );
    },
    {
      error:
        'must be a service account key (type service_account, client_email, private_key): its JSON, or base64 of its JSON',
    },
  );

const googleFields = {
  project_id: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .regex(/^[^/\s]+$/, 'must be a project id'),
  subscription_id: z
    .string()
    .trim()
    .regex(SUBSCRIPTION, 'must be a subscription id (or projects/<p>/subscriptions/<s>)'),
};

const sqsFields = {
  queue_name: z
    .string()
    .trim()
    .regex(QUEUE_NAME, 'must be an SQS queue name (letters, digits, - and _, optional .fifo)'),
  default_region: z.string().trim().regex(REGION, 'must be an AWS region such as us-east-1'),
  /** A different SQS endpoint (an emulator, a VPC endpoint); default: the region's. */
  endpoint: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    .max(2048)
    .optional(),
};

// A DNS name or an IP address (IPv6 with or without brackets); no scheme, port, path or user.
const HOST =
  /^(\[[0-9A-Fa-f:.]+\]|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*|[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?\.?)$/;

/** Convoy's `pub_sub.amqp` (RabbitMQ); Convoy sends the port as a string. */
const amqpFields = {
  schema: z.enum(['amqp', 'amqps'], { error: 'must be amqp or amqps' }),
  host: z
    .string()
    .trim()
    .min(1)
    .max(253)
    .regex(HOST, 'must be a host name or IP address (no scheme, port or path)'),
  port: z.preprocess(
    (value) =>
      typeof value === 'string' && /^\d{1,5}$/.test(value.trim()) ? Number(value) : value,
    z.int({ error: 'must be a port number (1-65535)' }).min(1).max(65_535),
  ),
  queue: z.string().min(1).max(255),
  bindedExchange: z.preprocess(
    (value) => (value === null || value === '' ? undefined : value),
    z.string().max(255).optional(),
  ),
  /** Where invalid messages are published (with the reason in headers) before they are acked. */
  deadLetterExchange: z.preprocess(
    (value) => (value === null || value === '' ? undefined : value),
    z.string().max(255).optional(),
  ),
  routingKey: z.preprocess(
    (value) => (value === null ? undefined : value),
    z.string().max(255).default(''),
  ),
  vhost: z.preprocess(
    (value) => (value === null || value === '' ? undefined : value),
    z.string().max(255).optional(),
  ),
};
const amqpUser = z.string().min(1).max(255);
const amqpPassword = z.string().min(1).max(1024);

const workers = z.int().min(1).max(64);

// Convoy sends the block of the other broker as null.
const block = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

function requireBlock(
  value: { type: 'google' | 'sqs' | 'amqp'; google?: unknown; sqs?: unknown; amqp?: unknown },
  ctx: z.RefinementCtx,
): void {
  if (value[value.type] === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: [value.type],
      message: `is required when type is ${value.type}`,
    });
  }
}

export const pubSubSourceBodySchema = z
  .object({
    type: brokerKindSchema,
    /** Concurrent pullers per source and ingester replica. */
    workers: workers.default(1),
    google: block(z.object({ ...googleFields, service_account: serviceAccount })),
    sqs: block(
      z.object({
        ...sqsFields,
        access_key_id: z.string().trim().min(1).max(128),
        secret_key: z.string().min(1).max(256),
      }),
    ),
    amqp: block(
      z.object({
        ...amqpFields,
        auth: block(z.object({ user: amqpUser, password: amqpPassword })),
      }),
    ),
  })
  .superRefine(requireBlock);
export type PubSubSourceBody = z.infer<typeof pubSubSourceBodySchema>;

const sourceName = z.string().trim().min(1).max(255);
const secretText = z.string().min(1).max(1024);
const SOURCE_TYPE_ERROR = 'must be pub_sub (broker sources) or http (incoming webhooks)';

/**
 * An http source's verifier as Convoy takes it. Every field is optional here: which ones a verifier
 * needs depends on its type and the provider, and on update secrets left out keep the stored ones,
 * so the sources service checks them (naming the field).
 */
export const verifierBodySchema = z.object({
  type: verifierTypeSchema.optional(),
  hmac: block(
    z.object({
      header: headerNameSchema.optional(),
      hash: hashSchema.optional(),
      secret: secretText.optional(),
      encoding: encodingSchema.optional(),
    }),
  ),
  basic_auth: block(
    z.object({
      username: z
        .string()
        .min(1)
        .max(255)
        .regex(/^[^:]*$/, 'must not contain ":"')
        .optional(),
      password: secretText.optional(),
    }),
  ),
  api_key: block(
    z.object({ header_name: headerNameSchema.optional(), header_value: secretText.optional() }),
  ),
});
export type VerifierBody = z.infer<typeof verifierBodySchema>;

// Convoy sends "" (or null) for "no provider".
const providerField = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  sourceProviderSchema.optional(),
);

// Convoy clients send the field with every source; a broker message's id already dedupes it.
const brokerIdempotencyKeys = z
  .preprocess(
    (value) => (value === null ? [] : value),
    z.array(z.string()).max(0, 'only http sources use them (a broker message id dedupes itself)'),
  )
  .optional();

export const pubSubSourceCreateSchema = z.object({
  name: sourceName,
  type: z.literal('pub_sub'),
  is_disabled: z.boolean().default(false),
  pub_sub: pubSubSourceBodySchema,
  idempotency_keys: brokerIdempotencyKeys,
});

/** An incoming-webhooks source: a verifier, or a provider preset (github, shopify) and its secret. */
export const httpSourceCreateSchema = z.object({
  name: sourceName,
  type: z.literal('http'),
  is_disabled: z.boolean().default(false),
  provider: providerField,
  verifier: block(verifierBodySchema),
  /** Where requests carry the sender's delivery id, so a replay is stored as a duplicate. */
  idempotency_keys: idempotencyKeysSchema.optional(),
});
export type HttpSourceCreateBody = z.infer<typeof httpSourceCreateSchema>;

/** `POST /api/v1/projects/{projectID}/sources`: Convoy's source, broker (`pub_sub`) or `http`. */
export const createSourceBodySchema = z.discriminatedUnion(
  'type',
  [pubSubSourceCreateSchema, httpSourceCreateSchema],
  { error: SOURCE_TYPE_ERROR },
);
export type CreateSourceBody = z.infer<typeof createSourceBodySchema>;

/**
 * `PUT /sources/{sourceID}`: any of the fields (a source's type cannot change). Secrets may be left
 * out to keep the stored ones (the API never shows them), unless the broker or verifier type
 * changes.
 */
export const updateSourceBodySchema = z
  .object({
    name: sourceName.optional(),
    type: z.enum(['pub_sub', 'http'], { error: SOURCE_TYPE_ERROR }).optional(),
    is_disabled: z.boolean().optional(),
    pub_sub: block(
      z
        .object({
          type: brokerKindSchema,
          workers: workers.optional(),
          google: block(z.object({ ...googleFields, service_account: serviceAccount.optional() })),
          sqs: block(
            z.object({
              ...sqsFields,
              access_key_id: z.string().trim().min(1).max(128).optional(),
              secret_key: z.string().min(1).max(256).optional(),
            }),
          ),
          amqp: block(
            z.object({
              ...amqpFields,
              /** A password left out keeps the stored one. */
              auth: block(z.object({ user: amqpUser, password: amqpPassword.optional() })),
            }),
          ),
        })
        .superRefine(requireBlock),
    ),
    /** "" or null removes the provider (its hmac settings stay, as a plain hmac verifier). */
    provider: z.union([sourceProviderSchema, z.literal(''), z.null()]).optional(),
    verifier: block(verifierBodySchema),
    idempotency_keys: idempotencyKeysSchema.optional(),
  })
  .refine(
    (body) =>
      body.name !== undefined ||
      body.is_disabled !== undefined ||
      body.pub_sub !== undefined ||
      body.provider !== undefined ||
      body.verifier !== undefined ||
      body.idempotency_keys !== undefined,
    {
      error:
        'nothing to update: give name, is_disabled, pub_sub, provider, verifier or idempotency_keys',
    },
  );
export type UpdateSourceBody = z.infer<typeof updateSourceBodySchema>;

/** `GET /ingestfailures` (and `/sources/{sourceID}/failures`): invalid broker messages. */
export const ingestFailureListQuerySchema = pageQuerySchema.extend({
  sourceId: z.string().optional(),
  reason: ingestFailureReasonSchema.optional(),
});
export type IngestFailureListQuery = z.infer<typeof ingestFailureListQuerySchema>;
