import { z } from 'zod';
import { headerListsSchema, headerMapSchema, jsonValueSchema } from '../json';
import { verifierTypeSchema } from '../http-source/http-source-verifier';
import {
  endpointAuthenticationResponseSchema,
  mtlsClientCertResponseSchema,
  endpointStatusSchema,
  signatureAlgorithmSchema,
} from './endpoint.dto';
import { deliveryStatusSchema } from './pagination.dto';
import { encodingSchema, hashSchema, projectConfigSchema } from './project.dto';
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
  /** What the receiver verifies with: the `whsec_` secret, or an ed25519 key's `whpk_` public key. */
  value: z.string(),
  expires_at: z.string().nullable().optional(),
});

export type EndpointSecretResponse = z.infer<typeof endpointSecretResponseSchema>;

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
  /** The newest secret's algorithm: what deliveries are signed with once older secrets expire. */
  signature_algorithm: signatureAlgorithmSchema,
  advanced_signatures: z.boolean(),
  support_email: z.string(),
  http_timeout: z.int(),
  rate_limit: z.int(),
  rate_limit_duration: z.int(),
  content_type: z.string(),
  custom_headers: headerMapSchema,
  authentication: endpointAuthenticationResponseSchema.nullable(),
  /** The client certificate presented over TLS; its key is always `[REDACTED]`. */
  mtls_client_cert: mtlsClientCertResponseSchema.nullable(),
  ordered: z.boolean(),
  /** Why the breaker (or a 410 Gone) disabled it; empty while it is not disabled. */
  disabled_reason: z.string(),
  ...timestamps,
});
export type EndpointResponse = z.infer<typeof endpointResponseSchema>;

export const subscriptionResponseSchema = z.object({
  uid: z.string(),
  /** The subscription's endpoint (Convoy's link to it); null once the endpoint is deleted. */
  endpoint_metadata: endpointResponseSchema.nullable(),
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
  /** Convoy's shape: a list of values per header name. */
  headers: headerListsSchema.optional(),
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
  /** Convoy's shape: a list of values per header name. */
  headers: headerListsSchema.nullable(),
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

export const projectResponseSchema = z.object({
  uid: z.string(),
  name: z.string(),
  type: z.enum(['outgoing', 'incoming']),
  config: projectConfigSchema,
  ...timestamps,
});
export type ProjectResponse = z.infer<typeof projectResponseSchema>;
export const projectListSchema = z.array(projectResponseSchema);

export const apiKeyStatusSchema = z.enum(['active', 'revoked', 'expired']);
export type ApiKeyStatus = z.infer<typeof apiKeyStatusSchema>;

/** What listing shows of a key: never the secret or its hash; `prefix` identifies it. */
export const apiKeyResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  name: z.string(),
  prefix: z.string(),
  status: apiKeyStatusSchema,
  created_at: z.iso.datetime(),
  expires_at: z.iso.datetime().nullable(),
  revoked_at: z.iso.datetime().nullable(),
  last_used_at: z.iso.datetime().nullable(),
});
export type ApiKeyResponse = z.infer<typeof apiKeyResponseSchema>;
export const apiKeyPageSchema = pageSchema(apiKeyResponseSchema);

/** A key as made: the only answer that carries the key itself. */
export const createdApiKeyResponseSchema = apiKeyResponseSchema.extend({ key: z.string() });
export type CreatedApiKeyResponse = z.infer<typeof createdApiKeyResponseSchema>;

/** `POST /projects`: the project and its first API key (shown this once). */
export const createdProjectResponseSchema = z.object({
  project: projectResponseSchema,
  api_key: createdApiKeyResponseSchema,
});
export type CreatedProjectResponse = z.infer<typeof createdProjectResponseSchema>;

/** Which event a delivery carries (Convoy's `event_metadata`); its data is at `GET /events/{id}`. */
export const eventMetadataResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  event_type: z.string(),
  source_id: z.string(),
  idempotency_key: z.string(),
  ...timestamps,
});
export type EventMetadataResponse = z.infer<typeof eventMetadataResponseSchema>;

export const deliveryResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  event_id: z.string(),
  endpoint_id: z.string(),
  subscription_id: z.string(),
  event_type: z.string(),
  status: deliveryStatusSchema,
  metadata: z.object({ num_trials: z.int(), next_send_time: z.iso.datetime() }),
  /** Convoy's duration string (`"12ms"`), empty until delivered. */
  latency: z.string(),
  latency_seconds: z.number(),
  latency_ms: z.int().nullable(),
  /** The last attempt's error, if any. */
  description: z.string(),
  delivered_at: z.iso.datetime().nullable(),
  /** Of the delivery's event. */
  idempotency_key: z.string(),
  /** The event's custom headers, Convoy's shape; null once the event is gone. */
  headers: headerListsSchema.nullable(),
  /** The endpoint's URL. */
  target_url: z.string(),
  event_metadata: eventMetadataResponseSchema.nullable(),
  endpoint_metadata: endpointResponseSchema.nullable(),
  ...timestamps,
});
export type DeliveryResponse = z.infer<typeof deliveryResponseSchema>;
export const deliveryPageSchema = pageSchema(deliveryResponseSchema);

/** Header maps as the attempt log keeps them (values a string or a list of strings). */
export const headerValuesSchema = z.record(z.string(), z.union([z.string(), z.array(z.string())]));

export const attemptResponseSchema = z.object({
  uid: z.string(),
  msg_id: z.string(),
  project_id: z.string(),
  endpoint_id: z.string(),
  url: z.string(),
  method: z.string(),
  request_http_header: headerValuesSchema,
  response_http_header: headerValuesSchema.nullable(),
  http_status: z.string(),
  status_code: z.int().nullable(),
  response_data: z.string(),
  error: z.string(),
  /** Why no response came (timeout, connection refused, egress refused...); empty when one did. */
  error_kind: z.string(),
  latency_ms: z.int(),
  /** Whether the receiver answered 2xx. */
  status: z.boolean(),
  created_at: z.iso.datetime(),
});
export type AttemptResponse = z.infer<typeof attemptResponseSchema>;
export const attemptListSchema = z.array(attemptResponseSchema);

/** `GET /eventdeliveries/statustotals`: how many deliveries match, per status. */
export const statusTotalsResponseSchema = z.object({
  Scheduled: z.int(),
  Processing: z.int(),
  Success: z.int(),
  Retry: z.int(),
  Failure: z.int(),
  Discarded: z.int(),
} satisfies Record<z.infer<typeof deliveryStatusSchema>, z.ZodInt>);
export type StatusTotals = z.infer<typeof statusTotalsResponseSchema>;

/** Convoy's `CountResponse`: how many a batch operation with the same filters would take. */
export const countResponseSchema = z.object({ num: z.int() });
export type CountResponse = z.infer<typeof countResponseSchema>;

/** Secrets are never answered: their place holds this mask. */
const masked = z.string();

export const sourceResponseSchema = z.object({
  uid: z.string(),
  /** Where an http source takes requests: `POST /ingest/{mask_id}`. */
  mask_id: z.string(),
  /** An http source's full ingest URL (`<public URL>/ingest/<mask_id>`); empty for broker sources. */
  url: z.string(),
  project_id: z.string(),
  name: z.string(),
  type: z.enum(['http', 'pub_sub']),
  /** A provider preset (`github`, `shopify`...) or empty. */
  provider: z.string(),
  is_disabled: z.boolean(),
  verifier: z.object({
    type: verifierTypeSchema,
    hmac: z
      .object({ header: z.string(), hash: hashSchema, encoding: encodingSchema, secret: masked })
      .nullable(),
    basic_auth: z.object({ username: z.string(), password: masked }).nullable(),
    api_key: z.object({ header_name: z.string(), header_value: masked }).nullable(),
  }),
  /** Where an http source reads the sender's delivery id; replays become duplicate events. */
  idempotency_keys: z.array(z.string()),
  pub_sub: z
    .object({
      type: z.enum(['google', 'sqs', 'amqp']),
      workers: z.int(),
      google: z
        .object({
          project_id: z.string(),
          subscription_id: z.string(),
          service_account: masked,
          client_email: z.string(),
        })
        .nullable(),
      sqs: z
        .object({
          queue_name: z.string(),
          default_region: z.string(),
          endpoint: z.string(),
          /** The mask and the key id's last 4 characters. */
          access_key_id: z.string(),
          secret_key: masked,
        })
        .nullable(),
      /** Present for RabbitMQ (`amqp`) sources only. */
      amqp: z
        .object({
          schema: z.enum(['amqp', 'amqps']),
          host: z.string(),
          /** A string, as Convoy answers it. */
          port: z.string(),
          queue: z.string(),
          auth: z.object({ user: z.string(), password: masked }).nullable(),
          bindedExchange: z.string().nullable(),
          deadLetterExchange: z.string().nullable(),
          routingKey: z.string(),
          vhost: z.string(),
        })
        .nullable()
        .optional(),
    })
    .nullable(),
  ...timestamps,
});
export type SourceResponse = z.infer<typeof sourceResponseSchema>;
export const sourcePageSchema = pageSchema(sourceResponseSchema);

/** A broker message a source could not take, with the reason. */
export const ingestFailureResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  source_id: z.string(),
  broker_message_id: z.string(),
  /** One of the ingesters' reasons (`too_large`, `malformed_json`, `invalid_message`...). */
  reason: z.string(),
  detail: z.string(),
  /** The message as received, cut at the stored limit (`payload_truncated`). */
  payload: z.string(),
  payload_bytes: z.int(),
  payload_truncated: z.boolean(),
  attributes: z.record(z.string(), z.string()),
  created_at: z.iso.datetime(),
});
export type IngestFailureResponse = z.infer<typeof ingestFailureResponseSchema>;
export const ingestFailurePageSchema = pageSchema(ingestFailureResponseSchema);

/** `POST /ingest/{mask_id}`: the event made from the request. */
export const receivedWebhookResponseSchema = z.object({
  event_id: z.string(),
  event_type: z.string(),
});
export type ReceivedWebhookResponse = z.infer<typeof receivedWebhookResponseSchema>;

/** `POST /subscriptions/test_filter`: whether the sample request passes the filter. */
export const filterTestResponseSchema = z.boolean();

/**
 * Convoy's `MetaEventResponse`: a meta event sent to the project's meta URL and the outcome of
 * its last attempt (`metadata.data` is what was sent, `metadata.raw` the exact body).
 */
export const metaEventResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  event_type: z.string(),
  status: z.enum(['Success', 'Failure']),
  metadata: z.object({
    data: jsonValueSchema,
    raw: z.string(),
    num_trials: z.int(),
    /** Meta events are not retried on their own: resend one with `PUT …/resend`. */
    retry_limit: z.int(),
  }),
  attempt: z.object({
    request_http_header: z.record(z.string(), z.string()),
    response_http_header: headerValuesSchema.nullable(),
    response_data: z.string(),
    http_status: z.string(),
    error: z.string(),
  }),
  ...timestamps,
});
export type MetaEventResponse = z.infer<typeof metaEventResponseSchema>;
export const metaEventPageSchema = pageSchema(metaEventResponseSchema);
