import { z } from 'zod';

export const brokerKindSchema = z.enum(['google', 'sqs', 'amqp']);
/** Which broker a `pub_sub` source reads from: Google Pub/Sub, Amazon SQS or RabbitMQ (AMQP 0-9-1). */
export type BrokerKind = z.infer<typeof brokerKindSchema>;

/**
 * A broker source's non-secret settings as stored in `sources.pub_sub` (and read by the
 * ingesters). Secrets live encrypted in `sources.credentials`; `access_key_id_hint` and
 * `client_email` are what the API shows of them.
 */
export const storedPubSubConfigSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('google'),
    workers: z.int().min(1),
    google: z.object({
      project_id: z.string().min(1),
      subscription_id: z.string().min(1),
      client_email: z.string().optional(),
    }),
  }),
  z.object({
    type: z.literal('sqs'),
    workers: z.int().min(1),
    sqs: z.object({
      queue_name: z.string().min(1),
      default_region: z.string().min(1),
      endpoint: z.string().optional(),
      access_key_id_hint: z.string().default(''),
    }),
  }),
  z.object({
    type: z.literal('amqp'),
    workers: z.int().min(1),
    amqp: z.object({
      schema: z.enum(['amqp', 'amqps']),
      host: z.string().min(1),
      port: z.int().min(1).max(65_535),
      queue: z.string().min(1),
      /** The user name (shown); the password is in the credentials. */
      user: z.string().optional(),
      bindedExchange: z.string().optional(),
      deadLetterExchange: z.string().optional(),
      routingKey: z.string().default(''),
      vhost: z.string().default('/'),
    }),
  }),
]);
export type StoredPubSubConfig = z.infer<typeof storedPubSubConfigSchema>;

/** The secret half of a broker source, stored encrypted (AES-256-GCM) in `sources.credentials`. */
export const brokerCredentialsSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('google'), service_account: z.string() }),
  z.object({ type: z.literal('sqs'), access_key_id: z.string(), secret_key: z.string() }),
  /** `password` is empty when the source has no `auth`. */
  z.object({ type: z.literal('amqp'), password: z.string() }),
]);
export type BrokerCredentials = z.infer<typeof brokerCredentialsSchema>;

/**
 * A Google service account key is given as its JSON or, as in Convoy, base64 of its JSON. Returns
 * the key object, or undefined when the text is neither.
 */
export function decodeServiceAccount(text: string): Record<string, unknown> | undefined {
  const trimmed = text.trim();
  const candidates = trimmed.startsWith('{')
    ? [trimmed]
    : [Buffer.from(trimmed, 'base64').toString('utf8')];
  for (const candidate of candidates) {
    try {
      const value: unknown = JSON.parse(candidate);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        return value as Record<string, unknown>;
      }
    } catch {
      // not JSON
    }
  }
  return undefined;
}
