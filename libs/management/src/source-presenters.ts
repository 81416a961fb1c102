import {
  storedPubSubConfigSchema,
  storedVerifierSchema,
  type IngestFailureResponse,
  type SourceResponse,
  type StoredPubSubConfig,
  type StoredVerifier,
} from '@flotilla/contracts';
import type { IngestFailure, Source } from '@flotilla/db';
import { FAILURE_PAYLOAD_BYTES } from '@flotilla/ingestion';
import { stored } from './presenters';

/** What the API shows in place of a secret: never the value. */
export const SECRET_MASK = '********';

/**
 * Convoy's source shape. Secrets are masked; an SQS access key id shows its last 4 characters.
 * `mask_id` is where an http source takes requests: `POST /ingest/{mask_id}`.
 */
/** `baseUrl`: where senders reach this API, for an http source's `url`. */
export function presentSource(source: Source, baseUrl: string): SourceResponse {
  const config = storedPubSubConfigSchema.safeParse(source.pubSub);
  return {
    uid: source.id,
    mask_id: source.maskId,
    // Convoy's full ingest URL; broker sources take no requests.
    url: source.type === 'http' ? `${baseUrl}/ingest/${source.maskId}` : '',
    project_id: source.projectId,
    name: source.name,
    type: source.type,
    provider: source.provider ?? '',
    is_disabled: source.status === 'paused',
    verifier: presentVerifier(source.verifier),
    idempotency_keys: source.idempotencyKeys,
    pub_sub: config.success ? presentPubSub(config.data) : null,
    created_at: source.createdAt.toISOString(),
    updated_at: source.updatedAt.toISOString(),
  };
}

function presentVerifier(stored: unknown): SourceResponse['verifier'] {
  const parsed = storedVerifierSchema.safeParse(stored ?? { type: 'noop' });
  const verifier: StoredVerifier = parsed.success ? parsed.data : { type: 'noop' };
  return {
    type: verifier.type,
    hmac: verifier.type === 'hmac' ? { ...verifier.hmac, secret: SECRET_MASK } : null,
    basic_auth:
      verifier.type === 'basic_auth'
        ? { username: verifier.basic_auth.username, password: SECRET_MASK }
        : null,
    api_key:
      verifier.type === 'api_key'
        ? { header_name: verifier.api_key.header_name, header_value: SECRET_MASK }
        : null,
  };
}

function presentPubSub(config: StoredPubSubConfig): NonNullable<SourceResponse['pub_sub']> {
  switch (config.type) {
    case 'google':
      return {
        type: 'google',
        workers: config.workers,
        google: {
          project_id: config.google.project_id,
          subscription_id: config.google.subscription_id,
          service_account: SECRET_MASK,
          client_email: config.google.client_email ?? '',
        },
        sqs: null,
      };
    case 'sqs':
      return {
        type: 'sqs',
        workers: config.workers,
        sqs: {
          queue_name: config.sqs.queue_name,
          default_region: config.sqs.default_region,
          endpoint: config.sqs.endpoint ?? '',
          access_key_id: `${SECRET_MASK}${config.sqs.access_key_id_hint}`,
          secret_key: SECRET_MASK,
        },
        google: null,
      };
    case 'amqp':
      return {
        type: 'amqp',
        workers: config.workers,
        amqp: {
          schema: config.amqp.schema,
          host: config.amqp.host,
          port: String(config.amqp.port),
          queue: config.amqp.queue,
          auth:
            config.amqp.user === undefined
              ? null
              : { user: config.amqp.user, password: SECRET_MASK },
          bindedExchange: config.amqp.bindedExchange ?? null,
          deadLetterExchange: config.amqp.deadLetterExchange ?? null,
          routingKey: config.amqp.routingKey,
          vhost: config.amqp.vhost,
        },
        google: null,
        sqs: null,
      };
  }
}

export function presentIngestFailure(failure: IngestFailure): IngestFailureResponse {
  return {
    uid: failure.id,
    project_id: failure.projectId,
    source_id: failure.sourceId,
    broker_message_id: failure.brokerMessageId,
    reason: failure.reason,
    detail: failure.detail,
    payload: failure.payload,
    payload_bytes: failure.payloadBytes,
    payload_truncated: failure.payloadBytes > FAILURE_PAYLOAD_BYTES,
    attributes: stored(failure.attributes),
    created_at: failure.createdAt.toISOString(),
  };
}
