import { z } from 'zod';
import { headerMapSchema, type JsonValue } from '../json';

/**
 * The broker attribute (SQS message attribute, Pub/Sub attribute) that selects how a broker
 * message is targeted, as in Convoy: `single` (the default), `fanout` or `broadcast`.
 */
export const BROKER_MESSAGE_TYPE_ATTRIBUTE = 'x-convoy-message-type';

export const brokerMessageTypeSchema = z.enum(['single', 'fanout', 'broadcast']);
export type BrokerMessageType = z.infer<typeof brokerMessageTypeSchema>;

// Convoy's producers are Go structs: absent optional strings often arrive as "" and maps as null.
const optionalText = (max: number) =>
  z.preprocess(
    (value) => (value === '' || value === null ? undefined : value),
    z.string().min(1).max(max).optional(),
  );

/**
 * A message published to a source's queue or subscription: Convoy's format, so existing producers
 * work unchanged. `endpoint_id` is required for `single` messages and `owner_id` for `fanout`
 * (checked by the parser, which knows the message type attribute). `data` is any JSON value; its
 * exact text is what gets delivered.
 */
export const brokerMessageSchema = z.object({
  endpoint_id: optionalText(255),
  owner_id: optionalText(255),
  event_type: z.string().trim().min(1).max(255),
  data: z.custom<JsonValue>((value) => value !== undefined, { error: 'is required' }),
  custom_headers: z.preprocess(
    (value) => (value === null ? undefined : value),
    headerMapSchema.optional(),
  ),
  idempotency_key: optionalText(255),
});
export type BrokerMessageBody = z.infer<typeof brokerMessageSchema>;

/** Why a broker message could not become an event (listed through the API, a metric label). */
export const ingestFailureReasonSchema = z.enum([
  'too_large',
  'malformed_json',
  'invalid_message',
  'unknown_message_type',
  'endpoint_not_found',
]);
export type IngestFailureReason = z.infer<typeof ingestFailureReasonSchema>;
