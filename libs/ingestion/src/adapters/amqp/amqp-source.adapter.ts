import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
} from 'amqplib';
import {
  defaultResolve,
  resolveAllowed,
  type EgressPolicy,
  type EgressResolver,
} from '@flotilla/egress';
import type {
  BrokerMessage,
  MessageDecision,
  ResolvedAmqpSource,
  SourceAdapterOptions,
  SourceRunContext,
} from '../../broker/broker-source.adapter';
import { PullingSourceAdapter, SourceRun } from '../../broker/source-run';
import { errorMessage, secondsSince } from '../settle';

export interface AmqpAdapterOptions extends SourceAdapterOptions {
  /** Backpressure: un-acked messages RabbitMQ hands each worker (basic.qos prefetch). */
  prefetchPerWorker: number;
  /** AMQP heartbeat in seconds (0: off). */
  heartbeatSeconds: number;
  /**
   * The SSRF guard: a source's host is tenant input, so every connection resolves it, checks every
   * address, and connects to the checked IP (never re-resolving).
   */
  egress: EgressPolicy;
  /** Replaces the DNS lookup (tests). */
  resolve?: EgressResolver;
  /** Bound on the DNS lookup and on opening the connection. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Messages delivered together go to the handler as one batch of at most this many. */
  maxBatch?: number;
}

/** The connection of one source, made when it opens (the first request to the broker). */
interface AmqpClient {
  model: ChannelModel | undefined;
}

/**
 * RabbitMQ (AMQP 0-9-1) sources: `workers` consumer channels per source on one connection, each
 * with a prefetch of `prefetchPerWorker` un-acked messages, so RabbitMQ stops delivering while the
 * handler holds messages for Kafka. A message is acked only once its event is in Kafka; invalid
 * ones are rejected without requeue (the queue's dead-letter exchange gets them, if it has one);
 * unacked messages go back to the queue when the connection ends, a crash included. Replicas are
 * competing consumers of the same queue.
 */
export class AmqpSourceAdapter extends PullingSourceAdapter<
  'amqp',
  AmqpClient,
  AmqpAdapterOptions
> {
  readonly broker = 'amqp' as const;

  protected connect(): AmqpClient {
    return { model: undefined };
  }

  protected logFields(source: ResolvedAmqpSource): Record<string, string> {
    return { host: source.amqp.host, vhost: source.amqp.vhost, queue: source.amqp.queue };
  }

  protected async open(
    client: AmqpClient,
    context: SourceRunContext<ResolvedAmqpSource>,
  ): Promise<AmqpSourceRun> {
    const { amqp } = context.source;
    const timeoutMs = this.options.connectTimeoutMs ?? 10_000;
    const host = amqp.host.replace(/^\[(.*)\]$/, '$1');
    // Refused (EgressRefusedError) before any socket is opened if any address is not allowed.
    const [address] = await resolveAllowed(
      host,
      this.options.egress,
      this.options.resolve ?? defaultResolve,
      timeoutMs,
    );
    client.model = await connect(
      {
        protocol: amqp.schema,
        hostname: address!,
        port: amqp.port,
        vhost: amqp.vhost,
        // Without auth, RabbitMQ's default user (as Convoy connects).
        username: amqp.auth?.user ?? 'guest',
        password: amqp.auth?.password ?? 'guest',
        heartbeat: this.options.heartbeatSeconds,
      },
      {
        timeout: timeoutMs,
        // TLS: SNI and certificate verification for the name, while connecting to the checked IP.
        ...(amqp.schema === 'amqps' && isIP(host) === 0 ? { servername: host } : {}),
        clientProperties: { connection_name: `flotilla source ${context.source.id}` },
      },
    );
    // Until the run listens, errors are reported by the calls below (an unheard 'error' throws).
    client.model.on('error', () => undefined);
    // A missing queue closes the channel with 404 (rejects here): the start fails.
    const setup = await client.model.createChannel();
    setup.on('error', () => undefined);
    await setup.checkQueue(amqp.queue);
    if (amqp.bindedExchange !== undefined)
      await setup.bindQueue(amqp.queue, amqp.bindedExchange, amqp.routingKey);
    await setup.close();
    const deadLetter = await openDeadLetter(client.model, context);
    const channels: Channel[] = [];
    for (let worker = 0; worker < context.source.workers; worker++) {
      const channel = await client.model.createChannel();
      channel.on('error', () => undefined);
      await channel.prefetch(this.options.prefetchPerWorker);
      channels.push(channel);
    }
    return new AmqpSourceRun(
      context,
      client.model,
      channels,
      deadLetter,
      this.options.maxBatch ?? 500,
    );
  }

  protected async disconnect(client: AmqpClient): Promise<void> {
    await client.model?.close().catch(() => undefined);
  }
}

/**
 * A confirm channel publishing to the source's `deadLetterExchange`, if it has one that exists;
 * without it invalid messages are rejected to the queue's own dead-letter exchange.
 */
async function openDeadLetter(
  model: ChannelModel,
  context: SourceRunContext<ResolvedAmqpSource>,
): Promise<ConfirmChannel | undefined> {
  const exchange = context.source.amqp.deadLetterExchange;
  if (exchange === undefined) return undefined;
  const check = await model.createChannel();
  check.on('error', () => undefined);
  try {
    await check.checkExchange(exchange);
    await check.close();
  } catch (error) {
    context.logger.warn(
      { err: error, deadLetterExchange: exchange },
      'the dead-letter exchange cannot be used: invalid messages go to the queue dead-letter exchange, if any',
    );
    return undefined;
  }
  const channel = await model.createConfirmChannel();
  channel.on('error', () => undefined);
  return channel;
}

interface Received {
  raw: ConsumeMessage;
  message: BrokerMessage;
  receivedAt: number;
}

/** One consumer channel: its deliveries are acked on it, in batches of what arrived together. */
class Consumer {
  tag: string | undefined;
  pending: Received[] = [];
  flushScheduled = false;

  constructor(readonly channel: Channel) {}
}

class AmqpSourceRun extends SourceRun<ResolvedAmqpSource> {
  private readonly consumers: Consumer[];
  private readonly inFlight = new Set<Promise<void>>();
  private cancelling: Promise<unknown> = Promise.resolve();
  private warnedNoMessageId = false;

  constructor(
    context: SourceRunContext<ResolvedAmqpSource>,
    private readonly model: ChannelModel,
    channels: Channel[],
    private readonly deadLetter: ConfirmChannel | undefined,
    private readonly maxBatch: number,
  ) {
    super(context);
    this.consumers = channels.map((channel) => new Consumer(channel));
  }

  start(): void {
    const lost = (what: string) => (error?: unknown) => {
      if (this.stopped) return;
      this.stopped = true;
      const cause = error instanceof Error ? error : new Error(`${what} closed by the broker`);
      this.logger.warn({ err: cause }, `AMQP ${what} lost: ${errorMessage(cause)}`);
      // Unacked messages go back to the queue with the connection; the supervisor restarts us.
      this.hooks.failed(cause);
    };
    this.model.on('error', lost('connection'));
    this.model.on('close', lost('connection'));
    for (const consumer of this.consumers) {
      consumer.channel.on('error', lost('channel'));
      consumer.channel.on('close', lost('channel'));
      consumer.channel
        .consume(
          this.source.amqp.queue,
          (raw) => {
            // null: the broker cancelled the consumer (the queue was deleted).
            if (raw === null) lost('consumer')(new Error('the broker cancelled the consumer'));
            else this.receive(consumer, raw);
          },
          { noAck: false },
        )
        .then(
          ({ consumerTag }) => {
            consumer.tag = consumerTag;
          },
          (error: unknown) => {
            lost('channel')(error);
          },
        );
    }
  }

  protected stopTaking(): void {
    this.cancelling = Promise.all(
      this.consumers.map((consumer) =>
        consumer.tag === undefined
          ? Promise.resolve()
          : consumer.channel.cancel(consumer.tag).then(
              () => undefined,
              () => undefined,
            ),
      ),
    );
    for (const consumer of this.consumers) this.flush(consumer);
  }

  protected async settled(): Promise<void> {
    await this.cancelling;
    // Deliveries that raced the cancel.
    for (const consumer of this.consumers) this.flush(consumer);
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  protected async close(): Promise<void> {
    // Whatever is still unacked goes back to the queue with the connection.
    await this.model.close().catch(() => undefined);
  }

  private receive(consumer: Consumer, raw: ConsumeMessage): void {
    if (this.stopped) {
      // Delivered while stopping (before the cancel took effect): straight back to the queue.
      try {
        consumer.channel.nack(raw, false, true);
      } catch {
        // The channel is closing: the broker requeues it anyway.
      }
      return;
    }
    consumer.pending.push({
      raw,
      message: this.toBrokerMessage(raw),
      receivedAt: performance.now(),
    });
    if (consumer.pending.length >= this.maxBatch) this.flush(consumer);
    else if (!consumer.flushScheduled) {
      consumer.flushScheduled = true;
      setImmediate(() => {
        this.flush(consumer);
      });
    }
  }

  private flush(consumer: Consumer): void {
    consumer.flushScheduled = false;
    if (consumer.pending.length === 0) return;
    const batch = consumer.pending;
    consumer.pending = [];
    const work = this.process(consumer.channel, batch).catch((error: unknown) => {
      // Settling does not throw by design; if it does, nothing more is acked and RabbitMQ
      // redelivers the batch when the channel closes.
      this.logger.error({ err: error }, 'settling the batch failed: it will be redelivered');
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async process(channel: Channel, batch: Received[]): Promise<void> {
    const decisions = await this.decide(batch.map((entry) => entry.message));
    const latencies: number[] = [];
    let deadLettered = 0;
    try {
      if (!decisions) {
        for (const entry of batch) channel.nack(entry.raw, false, true);
        return;
      }
      const published = await this.moveToDeadLetter(batch, decisions);
      decisions.forEach((decision: MessageDecision, index) => {
        const entry = batch[index]!;
        switch (decision.kind) {
          case 'ack':
            channel.ack(entry.raw);
            latencies.push(secondsSince(entry.receivedAt));
            return;
          case 'reject':
            // Recorded by the handler. Copied to the source's dead-letter exchange: acked.
            // Otherwise no requeue: RabbitMQ routes it to the queue's dead-letter exchange
            // (x-dead-letter-exchange argument or policy), or drops it if it has none.
            if (published.has(index)) channel.ack(entry.raw);
            else channel.nack(entry.raw, false, false);
            deadLettered += 1;
            latencies.push(secondsSince(entry.receivedAt));
            return;
          case 'release':
            channel.nack(entry.raw, false, true);
            return;
        }
      });
    } catch (error) {
      // The channel closed under us: RabbitMQ requeues whatever it had not been told about, and
      // the event ids deduplicate what Kafka already has.
      this.logger.warn(
        { err: error },
        'could not settle messages (channel closed): they will be redelivered',
      );
    }
    this.hooks.deadLettered(deadLettered);
    this.hooks.acked(latencies.length, latencies);
  }

  /** Publishes the rejected messages to the dead-letter exchange; the indexes it confirmed. */
  private async moveToDeadLetter(
    batch: Received[],
    decisions: MessageDecision[],
  ): Promise<Set<number>> {
    const published = new Set<number>();
    if (!this.deadLetter) return published;
    const sent: number[] = [];
    try {
      decisions.forEach((decision, index) => {
        if (decision.kind !== 'reject') return;
        const { raw } = batch[index]!;
        const { properties } = raw;
        this.deadLetter!.publish(
          this.source.amqp.deadLetterExchange!,
          raw.fields.routingKey,
          raw.content,
          {
            // Not user-id (the broker refuses another user's) nor expiration (kept until read).
            ...withoutUndefined({
              contentType: properties.contentType as unknown,
              contentEncoding: properties.contentEncoding as unknown,
              deliveryMode: properties.deliveryMode as unknown,
              priority: properties.priority as unknown,
              correlationId: properties.correlationId as unknown,
              messageId: properties.messageId as unknown,
              timestamp: properties.timestamp as unknown,
              type: properties.type as unknown,
              appId: properties.appId as unknown,
            }),
            headers: {
              ...((properties.headers ?? {}) as Record<string, unknown>),
              'x-flotilla-ingest-failure': decision.reason,
              'x-flotilla-ingest-failure-detail': decision.detail.slice(0, 1024),
              'x-flotilla-source': this.source.id,
              'x-flotilla-original-routing-key': raw.fields.routingKey,
            },
          },
        );
        sent.push(index);
      });
      if (sent.length === 0) return published;
      await this.deadLetter.waitForConfirms();
      for (const index of sent) published.add(index);
    } catch (error) {
      this.logger.warn(
        { err: error },
        'could not publish to the dead-letter exchange: rejected to the queue dead-letter exchange instead',
      );
    }
    return published;
  }

  private toBrokerMessage(raw: ConsumeMessage): BrokerMessage {
    return toBrokerMessage(raw, () => {
      if (!this.warnedNoMessageId) {
        this.warnedNoMessageId = true;
        this.logger.warn(
          'a message has no message-id property: redeliveries of such messages cannot be deduplicated',
        );
      }
    });
  }
}

/**
 * A delivery as the handler takes it. The id is the producer's `message-id` property (stable across
 * redeliveries, so events are deduplicated by it); a message without one gets a fresh id, and its
 * redelivery after a crash is a second event (at least once). Headers become attributes.
 */
export function toBrokerMessage(raw: ConsumeMessage, noMessageId: () => void): BrokerMessage {
  const { messageId, timestamp, headers } = raw.properties as {
    messageId?: unknown;
    timestamp?: unknown;
    headers?: Record<string, unknown>;
  };
  let id: string;
  if (typeof messageId === 'string' && messageId !== '') id = messageId;
  else {
    noMessageId();
    id = randomUUID();
  }
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined) attributes[name] = text;
  }
  return { id, body: raw.content, attributes, publishedAt: publishTime(timestamp) };
}

/** AMQP's timestamp property is in seconds; some producers write milliseconds. 0 when absent. */
export function publishTime(timestamp: unknown): number {
  const value = typeof timestamp === 'object' && timestamp !== null ? Number(timestamp) : timestamp;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return 0;
  return value < 100_000_000_000 ? value * 1000 : value;
}

function headerText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

function withoutUndefined(properties: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(properties).filter(([, value]) => value !== undefined));
}
