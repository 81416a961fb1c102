import type { BrokerSourceAdapter } from '../broker/broker-source.adapter';
import type { AmqpAdapterOptions } from './amqp/amqp-source.adapter';
import type { PubsubAdapterOptions } from './pubsub/pubsub-source.adapter';
import type { SqsAdapterOptions } from './sqs/sqs-source.adapter';

export type { AmqpAdapterOptions } from './amqp/amqp-source.adapter';
export type { PubsubAdapterOptions } from './pubsub/pubsub-source.adapter';
export type { SqsAdapterOptions } from './sqs/sqs-source.adapter';

// Loaded on demand, so each ingester loads only its own broker's SDK (and the API neither).

export async function createSqsAdapter(
  options: SqsAdapterOptions,
): Promise<BrokerSourceAdapter<'sqs'>> {
  const { SqsSourceAdapter } = await import('./sqs/sqs-source.adapter');
  return new SqsSourceAdapter(options);
}

export async function createPubsubAdapter(
  options: PubsubAdapterOptions,
): Promise<BrokerSourceAdapter<'google'>> {
  const { PubsubSourceAdapter } = await import('./pubsub/pubsub-source.adapter');
  return new PubsubSourceAdapter(options);
}

export async function createAmqpAdapter(
  options: AmqpAdapterOptions,
): Promise<BrokerSourceAdapter<'amqp'>> {
  const { AmqpSourceAdapter } = await import('./amqp/amqp-source.adapter');
  return new AmqpSourceAdapter(options);
}
