import { z } from 'zod';
import { headerMapSchema, jsonValueSchema } from '../json';
import { endpointAuthenticationSchema, endpointStatusSchema } from './endpoint.dto';
import { filterConfigSchema } from './subscription.dto';

/**
 * What the API answers, for the OpenAPI document and typed clients (the presenters in
 * libs/management produce these shapes; the e2e tests parse answers with them).
 */

/** Every error: `status: false`, a message, and for input errors the field(s) at fault. */
export const errorEnvelopeSchema = z.object({
  status: z.literal(false),
  message: z.string(),
  data: z
    .object({
      field: z.string().optional(),
      errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    })
    .optional(),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export const paginationSchema = z.object({
  per_page: z.int(),
  has_next_page: z.boolean(),
  has_prev_page: z.boolean(),
  next_page_cursor: z.string(),
  prev_page_cursor: z.string(),
});

/** A page of a list: `content` and the cursors for the next and previous pages. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({ content: z.array(item), pagination: paginationSchema });
}

const timestamps = { created_at: z.iso.datetime(), updated_at: z.iso.datetime() };

export const endpointSecretResponseSchema = z.looseObject({
  uid: z.string().optional(),
  value: z.string(),
  expires_at: z.string().nullable().optional(),
});

export const endpointResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  owner_id: z.string(),
  name: z.string(),
  title: z.string(),
  url: z.string(),
  target_url: z.string(),
  description: z.string(),
  status: endpointStatusSchema,
  secrets: z.array(endpointSecretResponseSchema),
  advanced_signatures: z.boolean(),
  support_email: z.string(),
  http_timeout: z.int(),
  rate_limit: z.int(),
  rate_limit_duration: z.int(),
  content_type: z.string(),
  custom_headers: headerMapSchema,
  authentication: endpointAuthenticationSchema.nullable(),
  ordered: z.boolean(),
  /** Why the breaker (or a 410 Gone) disabled it; empty while it is not disabled. */
  disabled_reason: z.string(),
  ...timestamps,
});
export type EndpointResponse = z.infer<typeof endpointResponseSchema>;

export const subscriptionResponseSchema = z.object({
  uid: z.string(),
  name: z.string(),
  project_id: z.string(),
  endpoint_id: z.string(),
  source_id: z.string(),
  filter_config: filterConfigSchema,
  delivery_mode: z.enum(['at_least_once', 'at_most_once']),
  status: z.string(),
  ...timestamps,
});
export type SubscriptionResponse = z.infer<typeof subscriptionResponseSchema>;

/** The answer to `POST /events` (and fanout, broadcast, dynamic): the event as queued. */
export const acceptedEventResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  event_type: z.string(),
  endpoints: z.array(z.string()),
  owner_id: z.string(),
  data: jsonValueSchema,
  headers: headerMapSchema.optional(),
  idempotency_key: z.string(),
  ...timestamps,
});
export type AcceptedEventResponse = z.infer<typeof acceptedEventResponseSchema>;

export const eventResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  event_type: z.string(),
  endpoints: z.array(z.string()),
  owner_id: z.string(),
  data: jsonValueSchema,
  /** The data exactly as received. */
  raw: z.string(),
  headers: headerMapSchema.nullable(),
  idempotency_key: z.string(),
  is_duplicate_event: z.boolean(),
  source_id: z.string(),
  broker_message_id: z.string(),
  accepted_at: z.iso.datetime(),
  ...timestamps,
});
export type EventResponse = z.infer<typeof eventResponseSchema>;

export const endpointPageSchema = pageSchema(endpointResponseSchema);
export const subscriptionPageSchema = pageSchema(subscriptionResponseSchema);
export const eventPageSchema = pageSchema(eventResponseSchema);
