import type { BrokerKind, IngestFailureReason } from '@flotilla/contracts';
import type { Logger } from '@flotilla/observability';

/** One message as a broker handed it over, before parsing. */
export interface BrokerMessage {
  /**
   * The broker's id (SQS MessageId, Pub/Sub message id, AMQP message-id property): the same on
   * every redelivery.
   */
  id: string;
  body: Buffer;
  attributes: Readonly<Record<string, string>>;
  /** When the producer published it (ms since the epoch), also stable across redeliveries. */
  publishedAt: number;
}

/**
 * What the adapter does with a message once the handler is done with it. A switch over `kind`
 * must handle every case (lint-enforced), so a new outcome cannot be silently dropped.
 */
export type MessageDecision =
  /** The event is durable in Kafka: ack (Pub/Sub) or delete (SQS). */
  | { kind: 'ack' }
  /**
   * Never valid; recorded with its reason. Move it to the source's dead-letter target when it has
   * one, then remove it from the live stream.
   */
  | { kind: 'reject'; reason: IngestFailureReason; detail: string }
  /** Not handled (shutting down while Kafka is away): give it back for redelivery. */
  | { kind: 'release' };

/**
 * The one handler every adapter calls: decisions come back in the order of `messages`. It holds
 * messages (without acking) while Kafka is unavailable, until `signal` aborts.
 */
export type BrokerBatchHandler = (
  messages: readonly BrokerMessage[],
  signal: AbortSignal,
) => Promise<MessageDecision[]>;

/** A source as an adapter needs it: non-secret settings and decrypted credentials. */
export interface ResolvedGoogleSource {
  broker: 'google';
  id: string;
  projectId: string;
  workers: number;
  google: { projectId: string; subscriptionId: string; serviceAccount: string };
}

export interface ResolvedSqsSource {
  broker: 'sqs';
  id: string;
  projectId: string;
  workers: number;
  sqs: {
    queueName: string;
    region: string;
    endpoint: string | undefined;
    accessKeyId: string;
    secretKey: string;
  };
}

export interface ResolvedAmqpSource {
  broker: 'amqp';
  id: string;
  projectId: string;
  workers: number;
  amqp: {
    schema: 'amqp' | 'amqps';
    host: string;
    port: number;
    vhost: string;
    queue: string;
    /** Absent when the source has no `auth` (the broker's default user). */
    auth: { user: string; password: string } | undefined;
    /** When set, the queue is bound to this exchange with `routingKey` before consuming. */
    bindedExchange: string | undefined;
    routingKey: string;
    /**
     * When set, invalid messages are published here (same routing key, the reason in headers)
     * before they are acked; otherwise they are rejected to the queue's own dead-letter exchange.
     */
    deadLetterExchange: string | undefined;
  };
}

export type ResolvedBrokerSource = ResolvedGoogleSource | ResolvedSqsSource | ResolvedAmqpSource;
export type ResolvedSourceOf<B extends BrokerKind> = Extract<ResolvedBrokerSource, { broker: B }>;

/** Hooks an adapter reports to (metrics, and the supervisor when a source fails for good). */
export interface SourceRunHooks {
  /** Messages removed from the live stream (acked/deleted), with the time since they were received. */
  acked(count: number, seconds: number[]): void;
  deadLettered(count: number): void;
  /** The source cannot go on (its queue vanished, credentials revoked): the supervisor restarts it. */
  failed(error: Error): void;
}

/** The options every adapter takes. */
export interface SourceAdapterOptions {
  /** On stop, how long in-flight batches may finish before what they hold is given back. */
  drainMs?: number;
  logger: Logger;
}

/** What a run of one source is given: the source, the shared handler, its hooks and logger. */
export interface SourceRunContext<S> {
  source: S;
  handler: BrokerBatchHandler;
  hooks: SourceRunHooks;
  /** Already bound to the source (id, broker, queue or subscription). */
  logger: Logger;
  drainMs: number;
}

/** A source being pulled. `stop` stops pulling, lets in-flight messages settle, and resolves. */
export interface RunningSource {
  stop(): Promise<void>;
}

/**
 * One broker. Adding a broker is one more implementation: the supervisor, the handler, parsing,
 * metrics and failure recording are shared.
 */
export interface BrokerSourceAdapter<B extends BrokerKind = BrokerKind> {
  readonly broker: B;
  /** Starts pulling; rejects when the source cannot start (no such queue, bad credentials). */
  start(
    source: ResolvedSourceOf<B>,
    handler: BrokerBatchHandler,
    hooks: SourceRunHooks,
  ): Promise<RunningSource>;
}

/** An adapter for one of the brokers (what the supervisor holds). */
export type AnyBrokerSourceAdapter = { [B in BrokerKind]: BrokerSourceAdapter<B> }[BrokerKind];

/** Starts a source on an adapter of the same broker. */
export function startOnAdapter(
  adapter: AnyBrokerSourceAdapter,
  source: ResolvedBrokerSource,
  handler: BrokerBatchHandler,
  hooks: SourceRunHooks,
): Promise<RunningSource> {
  if (adapter.broker === 'google' && source.broker === 'google')
    return adapter.start(source, handler, hooks);
  if (adapter.broker === 'sqs' && source.broker === 'sqs')
    return adapter.start(source, handler, hooks);
  if (adapter.broker === 'amqp' && source.broker === 'amqp')
    return adapter.start(source, handler, hooks);
  return Promise.reject(
    new Error(`a ${source.broker} source cannot run on the ${adapter.broker} adapter`),
  );
}
