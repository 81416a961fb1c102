import { z } from 'zod';
import { ingestFailureReasonSchema } from '../broker/broker-message';
import { brokerKindSchema, decodeServiceAccount } from '../broker/source-config';
import { pageQuerySchema } from './pagination.dto';

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

const workers = z.int().min(1).max(64);

// Convoy sends the block of the other broker as null.
const block = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === null ? undefined : value), schema.optional());

function requireBlock(
  value: { type: 'google' | 'sqs'; google?: unknown; sqs?: unknown },
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
  })
  .superRefine(requireBlock);
export type PubSubSourceBody = z.infer<typeof pubSubSourceBodySchema>;

/** `POST /api/v1/projects/{projectID}/sources`: Convoy's source, broker (`pub_sub`) sources only. */
export const createSourceBodySchema = z.object({
  name: z.string().trim().min(1).max(255),
  type: z.literal('pub_sub', { error: 'must be pub_sub (broker sources)' }),
  is_disabled: z.boolean().default(false),
  pub_sub: pubSubSourceBodySchema,
});
export type CreateSourceBody = z.infer<typeof createSourceBodySchema>;

/**
 * `PUT /sources/{sourceID}`: any of the fields. In `pub_sub`, secrets may be left out to keep the
 * stored ones (the API never shows them), unless the broker type changes.
 */
export const updateSourceBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255).optional(),
    type: z.literal('pub_sub', { error: 'must be pub_sub (broker sources)' }).optional(),
    is_disabled: z.boolean().optional(),
    pub_sub: z
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
      })
      .superRefine(requireBlock)
      .optional(),
  })
  .refine(
    (body) =>
      body.name !== undefined || body.is_disabled !== undefined || body.pub_sub !== undefined,
    { error: 'nothing to update: give name, is_disabled or pub_sub' },
  );
export type UpdateSourceBody = z.infer<typeof updateSourceBodySchema>;

export const sourceListQuerySchema = pageQuerySchema;
export type SourceListQuery = z.infer<typeof sourceListQuerySchema>;

/** `GET /ingestfailures` (and `/sources/{sourceID}/failures`): invalid broker messages. */
export const ingestFailureListQuerySchema = pageQuerySchema.extend({
  sourceId: z.string().optional(),
  reason: ingestFailureReasonSchema.optional(),
});
export type IngestFailureListQuery = z.infer<typeof ingestFailureListQuerySchema>;
