import {
  Duration,
  PubSub,
  SubscriptionCloseBehaviors,
  type ClientConfig,
  type Message,
  type Subscription,
  type Topic,
} from '@google-cloud/pubsub';
import { decodeServiceAccount } from '@flotilla/contracts';
import type { Logger } from '@flotilla/observability';
import type {
  BrokerBatchHandler,
  BrokerMessage,
  BrokerSourceAdapter,
  MessageDecision,
  ResolvedGoogleSource,
  RunningSource,
  SourceRunHooks,
} from '../../broker/broker-source.adapter';
import { errorMessage, secondsSince } from '../settle';

export interface PubsubAdapterOptions {
  /** PUBSUB_EMULATOR_HOST (host:port): talk to the emulator, without credentials. */
  emulatorHost: string | undefined;
  /** Flow control: un-acked messages held per worker (stream). */
  maxMessagesPerWorker: number;
  /** On stop, how long in-flight batches may finish before what they hold is given back. */
  drainMs?: number;
  /** Messages delivered together (one streaming-pull response) go to the handler as one batch. */
  maxBatch?: number;
  logger: Logger;
}

/** gRPC status codes after which the subscription cannot go on: the supervisor restarts it. */
const NOT_FOUND = 5;
const PERMISSION_DENIED = 7;

/**
 * Google Pub/Sub sources: streaming pull with `workers` streams and flow control (at most
 * `workers x maxMessagesPerWorker` messages un-acked at once, so pulling stops while Kafka is
 * away and the handler holds them; the client keeps extending their leases). Messages that arrive
 * together are handed to the shared handler as one batch. Replicas share the subscription.
 */
export class PubsubSourceAdapter implements BrokerSourceAdapter<'google'> {
  readonly broker = 'google' as const;

  constructor(private readonly options: PubsubAdapterOptions) {}

  async start(
    source: ResolvedGoogleSource,
    handler: BrokerBatchHandler,
    hooks: SourceRunHooks,
  ): Promise<RunningSource> {
    const pubsub = new PubSub(this.clientConfig(source));
    const logger = this.options.logger.child({
      source: source.id,
      broker: 'google',
      subscription: source.google.subscriptionId,
    });
    try {
      const deadLetterTopic = await findDeadLetterTopic(
        pubsub,
        source.google.subscriptionId,
        logger,
      );
      const subscription = pubsub.subscription(source.google.subscriptionId, {
        flowControl: {
          maxMessages: source.workers * this.options.maxMessagesPerWorker,
          allowExcessMessages: false,
        },
        streamingOptions: { maxStreams: source.workers },
        closeOptions: {
          behavior: SubscriptionCloseBehaviors.NackImmediately,
          timeout: Duration.from({ seconds: 10 }),
        },
      });
      const run = new PubsubSourceRun(
        pubsub,
        subscription,
        deadLetterTopic === undefined ? undefined : pubsub.topic(deadLetterTopic),
        source,
        handler,
        hooks,
        this.options,
        logger,
      );
      run.start();
      return run;
    } catch (error) {
      await pubsub.close().catch(() => undefined);
      throw error;
    }
  }

  private clientConfig(source: ResolvedGoogleSource): ClientConfig {
    if (this.options.emulatorHost) {
      // The universe domain is given so the auth library never probes the metadata server.
      return {
        projectId: source.google.projectId,
        apiEndpoint: this.options.emulatorHost,
        emulatorMode: true,
        universeDomain: 'googleapis.com',
      };
    }
    const key = decodeServiceAccount(source.google.serviceAccount) ?? {};
    return {
      projectId: source.google.projectId,
      // The deprecation warns against loading user-supplied credential configurations (external
      // accounts can point the client at arbitrary URLs and files). Only a service account's
      // email and private key are passed here, which make a plain JWT client.
      // eslint-disable-next-line @typescript-eslint/no-deprecated
      credentials: {
        client_email: typeof key['client_email'] === 'string' ? key['client_email'] : undefined,
        private_key: typeof key['private_key'] === 'string' ? key['private_key'] : undefined,
      },
    };
  }
}

/**
 * The subscription's dead-letter topic, if it has one. Also the existence check: a missing
 * subscription fails the start. Reading metadata needs pubsub.subscriptions.get; without it
 * invalid messages are acked (and the subscription's own dead-letter policy is not used).
 */
async function findDeadLetterTopic(
  pubsub: PubSub,
  subscriptionId: string,
  logger: Logger,
): Promise<string | undefined> {
  try {
    const [metadata] = await pubsub.subscription(subscriptionId).getMetadata({ timeout: 10_000 });
    return metadata.deadLetterPolicy?.deadLetterTopic ?? undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === NOT_FOUND) throw error;
    logger.warn(
      { err: error },
      'could not read the subscription dead-letter policy: invalid messages will be acked',
    );
    return undefined;
  }
}

interface Received {
  message: Message;
  receivedAt: number;
}

class PubsubSourceRun implements RunningSource {
  private readonly hold = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private pending: Received[] = [];
  private flushScheduled = false;
  private stopped = false;

  constructor(
    private readonly pubsub: PubSub,
    private readonly subscription: Subscription,
    private readonly deadLetterTopic: Topic | undefined,
    private readonly source: ResolvedGoogleSource,
    private readonly handler: BrokerBatchHandler,
    private readonly hooks: SourceRunHooks,
    private readonly options: PubsubAdapterOptions,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.subscription.on('message', (message: Message) => {
      if (this.stopped) {
        message.nack();
        return;
      }
      this.pending.push({ message, receivedAt: performance.now() });
      if (this.pending.length >= (this.options.maxBatch ?? 500)) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flush();
        });
      }
    });
    this.subscription.on('error', (error: Error & { code?: number }) => {
      if (this.stopped) return;
      if (error.code === NOT_FOUND || error.code === PERMISSION_DENIED) {
        this.stopped = true;
        this.hooks.failed(error);
        return;
      }
      // The client retries transient stream errors itself; this one it could not.
      this.logger.warn({ err: error }, `Pub/Sub subscriber error: ${errorMessage(error)}`);
      this.hooks.failed(error);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.flush();
    const drain = setTimeout(() => {
      this.hold.abort();
    }, this.options.drainMs ?? 10_000);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    clearTimeout(drain);
    // Nacks whatever the client still holds and flushes the acks. (Not removeAllListeners first:
    // losing the last 'message' listener closes the subscriber without waiting for that flush.)
    await this.subscription.close().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'Pub/Sub subscription did not close cleanly');
    });
    await this.deadLetterTopic?.flush().catch(() => undefined);
    await this.pubsub.close().catch(() => undefined);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const work = this.process(batch).catch((error: unknown) => {
      // The handler does not throw by design; if it does, nothing is acked and Pub/Sub redelivers.
      this.logger.error({ err: error }, 'handler failed: the batch will be redelivered');
      for (const entry of batch) entry.message.nack();
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async process(batch: Received[]): Promise<void> {
    const decisions = await this.handler(
      batch.map((entry) => toBrokerMessage(entry.message)),
      this.hold.signal,
    );
    const latencies: number[] = [];
    let deadLettered = 0;
    await Promise.all(
      decisions.map(async (decision: MessageDecision, index) => {
        const entry = batch[index]!;
        switch (decision.kind) {
          case 'ack':
            entry.message.ack();
            latencies.push(secondsSince(entry.receivedAt));
            return;
          case 'reject':
            if (this.deadLetterTopic) {
              if (!(await this.moveToDeadLetter(entry.message, decision.reason, decision.detail))) {
                // Left for the subscription's own dead-letter policy (max delivery attempts).
                entry.message.nack();
                return;
              }
              deadLettered += 1;
            }
            entry.message.ack();
            latencies.push(secondsSince(entry.receivedAt));
            return;
          case 'release':
            entry.message.nack();
            return;
        }
      }),
    );
    this.hooks.deadLettered(deadLettered);
    this.hooks.acked(latencies.length, latencies);
  }

  private async moveToDeadLetter(
    message: Message,
    reason: string,
    detail: string,
  ): Promise<boolean> {
    try {
      await this.deadLetterTopic!.publishMessage({
        data: message.data,
        attributes: {
          ...message.attributes,
          'x-flotilla-ingest-failure': reason,
          'x-flotilla-ingest-failure-detail': detail.slice(0, 1024),
          'x-flotilla-source': this.source.id,
          'x-flotilla-broker-message-id': message.id,
        },
      });
      return true;
    } catch (error) {
      this.logger.warn(
        { err: error },
        'could not publish to the dead-letter topic: nacked instead',
      );
      return false;
    }
  }
}

function toBrokerMessage(message: Message): BrokerMessage {
  return {
    id: message.id,
    body: message.data,
    attributes: message.attributes,
    publishedAt: message.publishTime.getTime(),
  };
}
