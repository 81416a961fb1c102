import { Server, type CustomTransportStrategy } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { lastValueFrom } from 'rxjs';
import { DEAD_LETTER_TOPIC } from '@flotilla/contracts';
import type { Logger } from '@flotilla/observability';
import type { KafkaProducerService } from './kafka-producer.service';
import { PartitionProgress } from './partition-progress';
import { PendingQueue, type Exclusivity } from './pending-queue';

export interface ConsumedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  timestamp: string;
}

export interface DeadLetter {
  message: ConsumedMessage;
  reason: string;
}

/** What a batch handler returns: the messages it could not handle and why (they are parked). */
export interface BatchOutcome {
  deadLetters: DeadLetter[];
}

export interface KafkaBatchTransportOptions {
  groupId: string;
  topic: string;
  /** Messages handed to the handler at once. */
  batchSize: number;
  /** Units of work running at once; a slow unit does not hold back the next. */
  maxInFlight: number;
  /** Fetched messages waiting for a worker before fetching pauses (backpressure). */
  maxQueued?: number;
  /**
   * `partition`: never let two units hold messages of the same partition, so a partition's
   * messages are handled in order (the route stage, for per-target order). `key`: a unit holds the
   * messages of one key and no other unit holds that key meanwhile (the deliver stage: one unit
   * owns an endpoint at a time, and a slow endpoint delays only itself). Default: none.
   */
  exclusive?: Exclusivity;
  /**
   * How long the broker may hold a fetch that found nothing (default 20 ms). A real broker answers
   * as soon as data arrives; the mock only when the wait ends.
   */
  maxWaitTimeInMs?: number;
  /** Consumer group session timeout (default 30 s); heartbeats go at a tenth of it, at most every 3 s. */
  sessionTimeoutMs?: number;
  onUnitDone?: (count: number, seconds: number) => void;
  /** After each group join: how many partitions of the topic this member now owns, and which. */
  onAssigned?: (partitions: number, ids: readonly number[]) => void;
  /** After dead letters were produced to the DLQ: how many, from this topic. */
  onDeadLettered?: (count: number) => void;
}

/**
 * A Nest microservice transport for Kafka that owns offsets: the fetch loop only queues, workers
 * take up to `batchSize` messages at a time (several units in flight), and each partition's offset
 * is committed only up to its lowest unfinished message. A handler either handles a message or
 * reports it as a dead letter (produced to the topic's DLQ before the commit); when it throws, the
 * unit is retried with backoff and nothing is committed past it. Consumers register with
 * `@EventPattern(topic)` and receive `ConsumedMessage[]`.
 */
export class KafkaBatchTransport extends Server implements CustomTransportStrategy {
  private consumer: Consumer | undefined;
  private readonly queue: PendingQueue;
  private readonly progress = new Map<number, PartitionProgress>();
  private readonly running = new Set<Promise<void>>();
  private readonly busy = new Set<string>();
  private assigned = new Set<number>();
  private closing = false;
  private closed: Promise<void> | undefined;
  /** Set once the consumer runs; cleared when it crashes, until it has joined its group again. */
  private consuming = false;
  private committing: Promise<void> | undefined;
  private commitAgain = false;
  private roomWaiters: (() => void)[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: KafkaProducerService,
    private readonly log: Logger,
    private readonly options: KafkaBatchTransportOptions,
  ) {
    super();
    this.queue = new PendingQueue(options.exclusive);
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => {
        callback();
      },
      (error: unknown) => {
        callback(error);
      },
    );
  }

  on(): never {
    throw new Error('KafkaBatchTransport does not emit events');
  }

  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the signature is Nest's Server.unwrap<T>()
  unwrap<T = Consumer | undefined>(): T {
    return this.consumer as T;
  }

  /** The consumer runs and has not crashed since; `/health` reports it (see MessagingModule). */
  get isReady(): boolean {
    return this.consumer !== undefined && this.consuming && !this.closing;
  }

  get groupId(): string {
    return this.options.groupId;
  }

  private restartAfterCrash(crashed: Consumer, delayMs = 1000): void {
    if (this.closing || this.consumer !== crashed) return;
    this.consumer = undefined;
    this.consuming = false;
    setTimeout(() => {
      if (this.closing || this.consumer !== undefined) return;
      this.start().then(
        () => {
          this.log.info({ group: this.options.groupId }, 'consumer restarted after a crash');
        },
        (error: unknown) => {
          this.log.error({ err: error }, 'restarting the consumer failed; trying again');
          const failed = this.consumer;
          if (failed) void failed.disconnect().catch(() => undefined);
          this.consumer = crashed;
          this.restartAfterCrash(crashed, Math.min(delayMs * 2, 30_000));
        },
      );
    }, delayMs);
  }

  private async start(): Promise<void> {
    if (!this.getHandlerByPattern(this.options.topic)) {
      throw new Error(`no @EventPattern('${this.options.topic}') handler is registered`);
    }
    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? 20,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(
        3_000,
        Math.floor((this.options.sessionTimeoutMs ?? 30_000) / 10),
      ),
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5000 },
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const partitions = event.payload.memberAssignment[this.options.topic] ?? [];
      this.reassign(new Set(partitions));
      this.options.onAssigned?.(partitions.length, partitions);
      if (this.consumer === consumer) this.consuming = true;
    });
    consumer.on(consumer.events.CRASH, (event) => {
      if (this.consumer === consumer) this.consuming = false;
      this.log.error(
        { err: event.payload.error, restart: event.payload.restart },
        'consumer crashed',
      );
      // kafkajs gives up on errors it deems non-retriable (seen: a malformed SyncGroup answer while
      // two members join at once); a replica that silently stops consuming would strand its
      // partitions, so it reports not ready and starts a new consumer. Tracked offsets are kept:
      // messages fetched again are recognised, and nothing is committed past unfinished work.
      if (!event.payload.restart) this.restartAfterCrash(consumer);
    });
    await consumer.connect();
    // A new group reads from the start so that nothing produced before its first join is skipped.
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async (payload) => {
        await this.onBatch(payload);
      },
    });
    if (this.consumer === consumer) this.consuming = true;
    this.log.info({ group: this.options.groupId, topic: this.options.topic }, 'consuming');
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    let progress = this.progress.get(batch.partition);
    if (!progress) {
      progress = new PartitionProgress();
      this.progress.set(batch.partition, progress);
    }
    for (const message of batch.messages) {
      if (!payload.isRunning() || payload.isStale() || this.closing) break;
      if (progress.add(message.offset)) {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) {
          if (value !== undefined) headers[name] = value.toString();
        }
        this.queue.push({
          topic: batch.topic,
          partition: batch.partition,
          offset: message.offset,
          key: message.key ? message.key.toString() : null,
          value: message.value,
          headers,
          timestamp: message.timestamp,
        });
      }
      // Moves the fetch position only; the commit is ours (watermark).
      payload.resolveOffset(message.offset);
    }
    this.pump();
    const maxQueued =
      this.options.maxQueued ?? this.options.batchSize * this.options.maxInFlight * 2;
    while (
      this.queue.size >= maxQueued &&
      payload.isRunning() &&
      !payload.isStale() &&
      !this.closing
    ) {
      await this.waitForRoom(1000);
      await payload.heartbeat();
    }
  }

  private reassign(partitions: Set<number>): void {
    this.assigned = partitions;
    for (const partition of [...this.progress.keys()]) {
      if (!partitions.has(partition)) this.progress.delete(partition);
    }
    // Queued work of partitions we lost now belongs to another member.
    this.queue.retainPartitions(partitions);
  }

  private waitForRoom(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.roomWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private pump(): void {
    while (!this.closing && this.running.size < this.options.maxInFlight && this.queue.size > 0) {
      const { unit, claimed } = this.queue.take(this.busy, this.options.batchSize);
      if (unit.length === 0) return;
      for (const token of claimed) this.busy.add(token);
      const work = this.process(unit).finally(() => {
        this.running.delete(work);
        for (const token of claimed) this.busy.delete(token);
        const waiters = this.roomWaiters;
        this.roomWaiters = [];
        for (const wake of waiters) wake();
        this.pump();
      });
      this.running.add(work);
    }
  }

  private async process(unit: ConsumedMessage[]): Promise<void> {
    const started = process.hrtime.bigint();
    for (let attempt = 0; ; attempt += 1) {
      try {
        const outcome = await this.invoke(unit);
        if (outcome.deadLetters.length > 0) await this.deadLetter(outcome.deadLetters);
        break;
      } catch (error) {
        // Nothing is committed past a unit that failed: it is retried here, or, when shutting down,
        // left uncommitted for the next owner of the partition.
        if (this.closing && attempt >= 2) {
          this.log.warn(
            { err: error, messages: unit.length },
            'giving up on a failing unit at shutdown',
          );
          return;
        }
        const delay = Math.min(5000, 100 * 2 ** attempt);
        this.log.warn(
          { err: error, attempt, delay, messages: unit.length },
          'batch failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    for (const message of unit) this.progress.get(message.partition)?.complete(message.offset);
    this.options.onUnitDone?.(unit.length, Number(process.hrtime.bigint() - started) / 1e9);
    // The commit runs on its own: a slow offset commit must not hold the unit's partition or key.
    void this.commit();
  }

  private async invoke(unit: ConsumedMessage[]): Promise<BatchOutcome> {
    const handler = this.getHandlerByPattern(this.options.topic);
    if (!handler) throw new Error(`no handler for ${this.options.topic}`);
    const result: unknown = await lastValueFrom(this.transformToObservable(await handler(unit)), {
      defaultValue: undefined,
    });
    const outcome = result as Partial<BatchOutcome> | undefined;
    return { deadLetters: outcome?.deadLetters ?? [] };
  }

  private async deadLetter(deadLetters: DeadLetter[]): Promise<void> {
    const topic = DEAD_LETTER_TOPIC[this.options.topic];
    if (!topic) throw new Error(`no dead-letter topic for ${this.options.topic}`);
    for (const { message, reason } of deadLetters) {
      this.log.warn(
        { topic: message.topic, partition: message.partition, offset: message.offset, reason },
        'dead-lettered',
      );
    }
    await this.producer.send(
      topic,
      deadLetters.map(({ message, reason }) => ({
        key: message.key ?? '',
        value: message.value ?? Buffer.alloc(0),
        headers: {
          ...message.headers,
          'x-flotilla-dlq-reason': reason.slice(0, 1000),
          'x-flotilla-dlq-source': `${message.topic}/${message.partition}/${message.offset}`,
          'x-flotilla-dlq-at': new Date().toISOString(),
        },
      })),
    );
    this.options.onDeadLettered?.(deadLetters.length);
  }

  /** One commit request at a time; a request arriving meanwhile is folded into the next one. */
  private async commit(): Promise<void> {
    if (this.committing) {
      this.commitAgain = true;
      return this.committing;
    }
    this.committing = (async () => {
      do {
        const offsets = [...this.progress]
          .filter(([partition]) => this.assigned.has(partition))
          .map(([partition, progress]) => ({ partition, offset: progress.committable() }))
          .filter(
            (entry): entry is { partition: number; offset: string } => entry.offset !== undefined,
          );
        if (offsets.length === 0 || !this.consumer) continue;
        try {
          await this.consumer.commitOffsets(
            offsets.map(({ partition, offset }) => ({
              topic: this.options.topic,
              partition,
              offset,
            })),
          );
        } catch (error) {
          // A lost commit only means redelivery after a restart; handlers are idempotent.
          this.log.warn({ err: error }, 'offset commit failed');
        }
      } while (this.takeCommitRequest());
    })().finally(() => {
      this.committing = undefined;
    });
    return this.committing;
  }

  private takeCommitRequest(): boolean {
    const requested = this.commitAgain;
    this.commitAgain = false;
    return requested;
  }

  /**
   * Stop fetching, finish the units in flight, commit, leave the group. Nest calls this more than
   * once at shutdown; every call waits for the same close, or the process would exit before the
   * consumer left its group and a restarted replica would wait a whole session timeout to join.
   */
  close(): Promise<void> {
    this.closed ??= this.stop();
    return this.closed;
  }

  private async stop(): Promise<void> {
    this.closing = true;
    const consumer = this.consumer;
    if (!consumer) return;
    consumer.pause([{ topic: this.options.topic }]);
    this.queue.clear();
    for (const wake of this.roomWaiters) wake();
    this.roomWaiters = [];
    await Promise.allSettled([...this.running]);
    await this.commit();
    try {
      await consumer.disconnect();
    } catch (error) {
      // The work is done and its offsets committed: a failed leave only makes the broker wait out
      // the session before it rebalances, which is no reason to fail a graceful shutdown.
      this.log.warn({ err: error, group: this.options.groupId }, 'consumer disconnect failed');
      return;
    }
    this.log.info({ group: this.options.groupId }, 'consumer stopped');
  }
}
