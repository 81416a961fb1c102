import type { BrokerKind } from '@flotilla/contracts';
import type { Logger } from '@flotilla/observability';
import type {
  BrokerBatchHandler,
  BrokerMessage,
  BrokerSourceAdapter,
  MessageDecision,
  ResolvedSourceOf,
  RunningSource,
  SourceAdapterOptions,
  SourceRunContext,
  SourceRunHooks,
} from './broker-source.adapter';

/**
 * The start-up every adapter shares: a fresh broker client per source, a logger bound to the
 * source, and the client closed again when the source cannot start (no such queue or
 * subscription), so a source retried at every refresh leaks nothing.
 */
export abstract class PullingSourceAdapter<
  B extends BrokerKind,
  Client,
  Options extends SourceAdapterOptions,
> implements BrokerSourceAdapter<B> {
  abstract readonly broker: B;

  constructor(protected readonly options: Options) {}

  async start(
    source: ResolvedSourceOf<B>,
    handler: BrokerBatchHandler,
    hooks: SourceRunHooks,
  ): Promise<RunningSource> {
    const client = this.connect(source);
    const context: SourceRunContext<ResolvedSourceOf<B>> = {
      source,
      handler,
      hooks,
      logger: this.options.logger.child({
        source: source.id,
        broker: this.broker,
        ...this.logFields(source),
      }),
      drainMs: this.options.drainMs ?? 10_000,
    };
    try {
      const run = await this.open(client, context);
      run.start();
      return run;
    } catch (error) {
      await this.disconnect(client);
      throw error;
    }
  }

  /** A client for the source's broker account (no request is made yet). */
  protected abstract connect(source: ResolvedSourceOf<B>): Client;
  /** What names the source's queue or subscription in the logs. */
  protected abstract logFields(source: ResolvedSourceOf<B>): Record<string, string>;
  /** Checks the source exists and makes its run; rejects when it cannot start. */
  protected abstract open(
    client: Client,
    context: SourceRunContext<ResolvedSourceOf<B>>,
  ): Promise<SourceRun<ResolvedSourceOf<B>>>;
  protected abstract disconnect(client: Client): Promise<void>;
}

/**
 * One source being pulled. Stopping is the same for every broker: stop taking messages, let the
 * batches in flight settle, and after `drainMs` abort the hold so a handler waiting for Kafka gives
 * its messages back (released, never acked); then close the client.
 */
export abstract class SourceRun<S> implements RunningSource {
  /** Aborted when a stop's drain time is over: the handler stops holding messages for Kafka. */
  protected readonly hold = new AbortController();
  protected stopped = false;
  protected readonly source: S;
  protected readonly hooks: SourceRunHooks;
  protected readonly logger: Logger;

  constructor(private readonly context: SourceRunContext<S>) {
    this.source = context.source;
    this.hooks = context.hooks;
    this.logger = context.logger;
  }

  abstract start(): void;

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopTaking();
    const drain = setTimeout(() => {
      this.hold.abort();
    }, this.context.drainMs);
    await this.settled();
    clearTimeout(drain);
    await this.close();
  }

  /** Stops receiving (in-flight batches go on). */
  protected abstract stopTaking(): void;
  /** Resolves once no batch is in flight. */
  protected abstract settled(): Promise<void>;
  /** Gives back what the client still holds and closes it. */
  protected abstract close(): Promise<void>;

  /**
   * The shared handler's decisions, in the order of `messages`; undefined if it threw (it does
   * not by design): then nothing is acked and the broker redelivers the batch.
   */
  protected async decide(
    messages: readonly BrokerMessage[],
  ): Promise<MessageDecision[] | undefined> {
    try {
      return await this.context.handler(messages, this.hold.signal);
    } catch (error) {
      this.logger.error({ err: error }, 'handler failed: the batch will be redelivered');
      return undefined;
    }
  }
}
