import { Partitioners, type Kafka, type Message, type Producer, type RetryOptions } from 'kafkajs';
import type { Logger } from '@flotilla/observability';
import { BrokerUnavailableError } from './errors';

export interface OutgoingMessage {
  key: string;
  value: string | Buffer;
  headers?: Record<string, string>;
}

interface PendingSend {
  topic: string;
  messages: OutgoingMessage[];
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * How long a send keeps trying: three attempts with waits of about 100 then at most 250 ms between
 * them, each attempt retrying a reconnect at most once after ~50 ms (`PRODUCER_CLUSTER_RETRY`). A
 * send to a Kafka that refuses or drops connections so fails within about 0.6 s at worst (measured:
 * 0.1-0.2 s), and ingest answers 503 within its 1 s promise (docs/guarantees.md). When the promise
 * rejects, kafkajs has given up: nothing of the send is retried later. Callers that must not lose
 * messages retry themselves (the consumer transport, the ingesters' produce gate, the HTTP client
 * after its 503).
 */
export const PRODUCE_RETRY: RetryOptions = {
  retries: 2,
  initialRetryTime: 100,
  maxRetryTime: 250,
  factor: 0.2,
  multiplier: 2,
};

/**
 * A producer that coalesces: while one request is in flight, everything sent meanwhile is gathered
 * and goes out as the next single request, so many small callers (HTTP requests) cost few broker
 * round trips. Each caller's promise settles when its own messages are acknowledged by all in-sync
 * replicas (acks=all).
 */
export class KafkaProducerService {
  private readonly producer: Producer;
  private queue: PendingSend[] = [];
  private inFlight = 0;
  private connected = false;
  private connecting: Promise<void> | undefined;

  constructor(
    kafka: Kafka,
    private readonly logger: Logger,
    private readonly options: { maxInFlight?: number; maxBatchMessages?: number } = {},
  ) {
    // Whether it is idempotent is the client's decision (KAFKA_IDEMPOTENT_PRODUCER, kafka-client.ts).
    this.producer = kafka.producer({
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: PRODUCE_RETRY,
    });
    this.producer.on(this.producer.events.DISCONNECT, () => {
      this.connected = false;
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    this.connecting ??= this.producer
      .connect()
      .then(() => {
        this.connected = true;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    await this.connecting;
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
    this.connected = false;
  }

  /** Resolves once Kafka acknowledged every message; rejects with BrokerUnavailableError otherwise. */
  send(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ topic, messages, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    if (this.inFlight >= (this.options.maxInFlight ?? 1) || this.queue.length === 0) return;
    const limit = this.options.maxBatchMessages ?? 5000;
    const batch: PendingSend[] = [];
    let count = 0;
    while (
      this.queue.length > 0 &&
      (batch.length === 0 || count + this.queue[0]!.messages.length <= limit)
    ) {
      const next = this.queue.shift()!;
      batch.push(next);
      count += next.messages.length;
    }
    this.inFlight += 1;
    void this.sendBatch(batch).finally(() => {
      this.inFlight -= 1;
      this.flush();
    });
  }

  private async sendBatch(batch: PendingSend[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const pending of batch) {
      const list = byTopic.get(pending.topic) ?? [];
      for (const message of pending.messages) list.push(message);
      byTopic.set(pending.topic, list);
    }
    try {
      await this.connect();
      await this.producer.sendBatch({
        acks: -1,
        timeout: 10_000,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      for (const pending of batch) pending.resolve();
    } catch (error) {
      this.logger.warn({ err: error }, 'kafka produce failed');
      const failure = new BrokerUnavailableError(
        `Kafka did not acknowledge the message: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
      for (const pending of batch) pending.reject(failure);
    }
  }
}
