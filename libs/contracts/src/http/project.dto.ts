import { z } from 'zod';

export const signatureFormatSchema = z.enum(['standard-webhooks', 'convoy']);
export const hashSchema = z.enum(['SHA256', 'SHA512']);
export const encodingSchema = z.enum(['hex', 'base64']);

export const projectConfigSchema = z.object({
  signature: z
    .object({
      format: signatureFormatSchema.default('standard-webhooks'),
      header: z.string().min(1).max(64).default('X-Convoy-Signature'),
      versions: z
        .array(
          z.object({ hash: hashSchema.default('SHA256'), encoding: encodingSchema.default('hex') }),
        )
        .min(1)
        .default([{ hash: 'SHA256', encoding: 'hex' }]),
    })
    .prefault({}),
  strategy: z
    .object({
      type: z.enum(['linear', 'exponential']).default('linear'),
      duration: z.int().min(1).max(86_400).default(100),
      retry_count: z.int().min(0).max(100).default(10),
    })
    .prefault({}),
  ratelimit: z
    .object({ count: z.int().min(0).default(0), duration: z.int().min(1).default(1) })
    .prefault({}),
  disable_endpoint: z.boolean().default(false),
  max_payload_read_size: z
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(1024 * 1024),
  ssrf: z.object({ allow_cidrs: z.array(z.string()).default([]) }).prefault({}),
  meta_event: z
    .object({
      is_enabled: z.boolean().default(false),
      type: z.literal('http').default('http'),
      event_type: z.array(z.string()).default([]),
      url: z.url().optional(),
      secret: z.string().optional(),
    })
    .prefault({}),
  /**
   * Check each API event's `data` against its type's `json_schema` in the catalog (a failing event
   * is 400 naming the JSON path). Off by default; types without a schema, or not in the catalog,
   * are not checked.
   */
  schema_validation: z.object({ is_enabled: z.boolean().default(false) }).prefault({}),
  /**
   * How long events, their deliveries and attempts are kept (Convoy's `retention_policy.policy`, a
   * Go duration such as `720h`; default 30 days, at least 1 hour). The scheduler deletes older ones.
   */
  retention_policy: z
    .object({
      policy: z
        .string()
        .regex(/^(\d+h)?(\d+m)?(\d+s)?$/, 'must be a duration such as 720h, 90m or 1h30m')
        .refine((value) => retentionPeriodMs(value) >= 3_600_000, 'must be at least 1h')
        .default('720h'),
    })
    .prefault({}),
});

/** Milliseconds in a retention duration (`720h`, `1h30m`, `5400s`). */
export function retentionPeriodMs(policy: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(policy);
  if (!match) return Number.NaN;
  const [, hours = '0', minutes = '0', seconds = '0'] = match;
  return ((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000;
}
export type ProjectConfig = z.infer<typeof projectConfigSchema>;

export const createProjectBodySchema = z.object({
  name: z.string().trim().min(1).max(255),
  type: z.enum(['outgoing', 'incoming']).default('outgoing'),
  config: projectConfigSchema.prefault({}),
});
export type CreateProjectBody = z.infer<typeof createProjectBodySchema>;

/** Meta events a project can subscribe to (`config.meta_event.event_type`; empty means all). */
export const META_EVENT_TYPES = [
  'endpoint.created',
  'endpoint.updated',
  'endpoint.deleted',
  'endpoint.disabled',
  'eventdelivery.success',
  'eventdelivery.failed',
] as const;
export type MetaEventType = (typeof META_EVENT_TYPES)[number];

/**
 * `PUT /projects/{id}`: `config` is merged into the stored config (objects field by field, arrays
 * and values replaced), then the whole result is validated as a project config.
 */
export const updateProjectBodySchema = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
export type UpdateProjectBody = z.infer<typeof updateProjectBodySchema>;
