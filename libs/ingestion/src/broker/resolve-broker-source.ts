import {
  brokerCredentialsSchema,
  storedPubSubConfigSchema,
  type BrokerKind,
} from '@flotilla/contracts';
import type { Source } from '@flotilla/db';
import type { CredentialsCipher } from '@flotilla/signing';
import type { ResolvedBrokerSource } from './broker-source.adapter';

/** A source row an ingester cannot run (unreadable settings or credentials). */
export class SourceConfigError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceConfigError';
  }
}

/** The associated data that binds a source's encrypted credentials to its row. */
export function sourceCredentialsAad(sourceId: string): string {
  return `source:${sourceId}`;
}

/** Reads a source row for an adapter: its settings (parsed) and credentials (decrypted, parsed). */
export function resolveBrokerSource(
  source: Source,
  cipher: CredentialsCipher,
  broker: BrokerKind,
): ResolvedBrokerSource {
  const config = storedPubSubConfigSchema.safeParse(source.pubSub);
  if (!config.success)
    throw new SourceConfigError(`pub_sub settings are invalid: ${config.error.message}`);
  if (config.data.type !== broker)
    throw new SourceConfigError(`source is ${config.data.type}, not ${broker}`);
  if (!source.credentials) throw new SourceConfigError('source has no credentials');
  const text = cipher.decrypt(source.credentials, sourceCredentialsAad(source.id));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SourceConfigError('stored credentials are not JSON', { cause: error });
  }
  const credentials = brokerCredentialsSchema.safeParse(json);
  if (!credentials.success) throw new SourceConfigError('stored credentials have the wrong shape');

  const base = { id: source.id, projectId: source.projectId, workers: config.data.workers };
  if (config.data.type === 'google' && credentials.data.type === 'google') {
    return {
      ...base,
      broker: 'google',
      google: {
        projectId: config.data.google.project_id,
        subscriptionId: config.data.google.subscription_id,
        serviceAccount: credentials.data.service_account,
      },
    };
  }
  if (config.data.type === 'sqs' && credentials.data.type === 'sqs') {
    return {
      ...base,
      broker: 'sqs',
      sqs: {
        queueName: config.data.sqs.queue_name,
        region: config.data.sqs.default_region,
        endpoint: config.data.sqs.endpoint,
        accessKeyId: credentials.data.access_key_id,
        secretKey: credentials.data.secret_key,
      },
    };
  }
  if (config.data.type === 'amqp' && credentials.data.type === 'amqp') {
    const amqp = config.data.amqp;
    return {
      ...base,
      broker: 'amqp',
      amqp: {
        schema: amqp.schema,
        host: amqp.host,
        port: amqp.port,
        vhost: amqp.vhost,
        queue: amqp.queue,
        auth:
          amqp.user === undefined
            ? undefined
            : { user: amqp.user, password: credentials.data.password },
        bindedExchange: amqp.bindedExchange,
        deadLetterExchange: amqp.deadLetterExchange,
        routingKey: amqp.routingKey,
      },
    };
  }
  throw new SourceConfigError('stored credentials are for another broker');
}
