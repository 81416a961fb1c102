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
  BrokerMessage,
  MessageDecision,
  ResolvedGoogleSource,
  SourceAdapterOptions,
  SourceRunContext,
} from '../../broker/broker-source.adapter';
import { PullingSourceAdapter, SourceRun } from '../../broker/source-run';
import { errorMessage, secondsSince } from '../settle';

export interface PubsubAdapterOptions extends SourceAdapterOptions {
  /** PUBSUB_EMULATOR_HOST (host:port): talk to the emulator, without credentials. */
  emulatorHost: string | undefined;
  /** Flow control: un-acked messages held per worker (stream). */
  maxMessagesPerWorker: number;
  /** Messages delivered together (one streaming-pull response) go to the handler as one batch. */
  maxBatch?: number;
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
export class PubsubSourceAdapter extends PullingSourceAdapter<
  'google',
  PubSub,
  PubsubAdapterOptions
> {
  readonly broker = 'google' as const;

  protected connect(source: ResolvedGoogleSource): PubSub {
    return new PubSub(this.clientConfig(source));
  }

  protected logFields(source: ResolvedGoogleSource): Record<string, string> {
    return { subscription: source.google.subscriptionId };
  }

  protected async open(
    pubsub: PubSub,
    context: SourceRunContext<ResolvedGoogleSource>,
  ): Promise<PubsubSourceRun> {
    const { subscriptionId } = context.source.google;
    const deadLetterTopic = await findDeadLetterTopic(pubsub, subscriptionId, context.logger);
    const subscription = pubsub.subscription(subscriptionId, {
      flowControl: {
        maxMessages: context.source.workers * this.options.maxMessagesPerWorker,
        allowExcessMessages: false,
      },
      streamingOptions: { maxStreams: context.source.workers },
      closeOptions: {
        behavior: SubscriptionCloseBehaviors.NackImmediately,
        timeout: Duration.from({ seconds: 10 }),
      },
    });
    return new PubsubSourceRun(
      context,
      pubsub,
      subscription,
      deadLetterTopic === undefined ? undefined : pubsub.topic(deadLetterTopic),
      this.options.maxBatch ?? 500,
    );
  }

  protected async disconnect(pubsub: PubSub): Promise<void> {
    await pubsub.close().catch(() => undefined);
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

class PubsubSourceRun extends SourceRun<ResolvedGoogleSource> {
  private readonly inFlight = new Set<Promise<void>>();
  private pending: Received[] = [];
  private flushScheduled = false;

  constructor(
    context: SourceRunContext<ResolvedGoogleSource>,
    private readonly pubsub: PubSub,
    private readonly subscription: Subscription,
    private readonly deadLetterTopic: Topic | undefined,
    private readonly maxBatch: number,
  ) {
    super(context);
  }

  start(): void {
    this.subscription.on('message', (message: Message) => {
      if (this.stopped) {
        message.nack();
        return;
      }
      this.pending.push({ message, receivedAt: performance.now() });
      if (this.pending.length >= this.maxBatch) this.flush();
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

  protected stopTaking(): void {
    this.flush();
  }

  protected async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  protected async close(): Promise<void> {
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
      // Settling does not throw by design; if it does, nothing more is acked and Pub/Sub redelivers.
      this.logger.error({ err: error }, 'settling the batch failed: it will be redelivered');
      for (const entry of batch) entry.message.nack();
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async process(batch: Received[]): Promise<void> {
    const decisions = await this.decide(batch.map((entry) => toBrokerMessage(entry.message)));
    if (!decisions) {
      for (const entry of batch) entry.message.nack();
      return;
    }
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
