import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import { ALL_TOPICS } from '@flotilla/contracts';
import {
  consumerLagGauge,
  deadLettersCounter,
  HealthRegistry,
  LOGGER,
  MetricsRegistry,
  type Logger,
} from '@flotilla/observability';
import { ConsumerLagMonitor } from './consumer-lag.monitor';
import { createKafkaClient, type KafkaClientOptions } from './kafka-client';
import { KafkaBatchTransport, type KafkaBatchTransportOptions } from './kafka-batch.transport';
import { KafkaProducerService } from './kafka-producer.service';

import { KAFKA_CLIENT } from './kafka-client.token';
import { TopicMetadata } from './topic-metadata';

export { KAFKA_CLIENT };

/**
 * Makes consumer transports for an app without the app touching kafkajs. Each one is registered
 * with `/health` (a replica whose consumer crashed, and is being restarted, answers not ready) and
 * reports its consumer lag and dead letters.
 */
export class KafkaTransportFactory implements OnApplicationShutdown {
  private readonly lag: ConsumerLagMonitor;
  private readonly deadLetters;

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: KafkaProducerService,
    private readonly logger: Logger,
    private readonly health: HealthRegistry,
    metrics: MetricsRegistry,
  ) {
    this.lag = new ConsumerLagMonitor(kafka, logger);
    consumerLagGauge(metrics, (gauge) => this.lag.collect(gauge));
    this.deadLetters = deadLettersCounter(metrics);
  }

  create(options: KafkaBatchTransportOptions, logger: Logger = this.logger): KafkaBatchTransport {
    // Zero from the start, so `increase()` in alerts sees the first dead letter.
    this.deadLetters.inc({ topic: options.topic }, 0);
    const transport = new KafkaBatchTransport(this.kafka, this.producer, logger, {
      ...options,
      onAssigned: (count, partitions) => {
        this.lag.assign(options.groupId, options.topic, partitions);
        options.onAssigned?.(count, partitions);
      },
      onDeadLettered: (count) => {
        this.deadLetters.inc({ topic: options.topic }, count);
        options.onDeadLettered?.(count);
      },
    });
    this.health.register(`consumer ${options.groupId}`, () =>
      transport.isReady
        ? Promise.resolve()
        : Promise.reject(new Error('consumer not running (starting, or restarting after a crash)')),
    );
    return transport;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.lag.close();
  }
}

/** Checks by metadata that the broker answers and our topics exist (we never create topics). */
@Injectable()
class KafkaReadiness implements OnApplicationBootstrap, OnApplicationShutdown {
  private admin: Admin | undefined;

  constructor(
    @Inject(KAFKA_CLIENT) private readonly kafka: Kafka,
    private readonly producer: KafkaProducerService,
    private readonly health: HealthRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('kafka', () => this.check());
    // The producer's own connection: ingest answers 503 while it cannot produce, so a replica
    // whose producer lost the broker must not look ready (connect() is a no-op once connected).
    this.health.register('kafka producer', () => this.producer.connect());
    // Connect in the background: a service whose Kafka is down still starts and reports not ready.
    this.producer.connect().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'kafka not reachable yet; will retry on first use');
    });
  }

  private async check(): Promise<void> {
    this.admin ??= this.kafka.admin();
    await this.admin.connect();
    const metadata = await this.admin.fetchTopicMetadata({
      topics: ALL_TOPICS.map((topic) => topic.name),
    });
    const missing = ALL_TOPICS.filter(
      (topic) =>
        !metadata.topics.some((found) => found.name === topic.name && found.partitions.length > 0),
    );
    if (missing.length > 0)
      throw new Error(`missing topics: ${missing.map((topic) => topic.name).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    // Every send was answered before this hook runs; a failed goodbye to the broker is only logged.
    const results = await Promise.allSettled([
      this.producer.disconnect(),
      this.admin?.disconnect(),
    ]);
    for (const result of results) {
      if (result.status === 'rejected')
        this.logger.warn({ err: result.reason as unknown }, 'kafka disconnect failed');
    }
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: KafkaClientOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        {
          provide: KAFKA_CLIENT,
          inject: [LOGGER],
          useFactory: (logger: Logger) => createKafkaClient(options, logger),
        },
        {
          provide: KafkaProducerService,
          inject: [KAFKA_CLIENT, LOGGER],
          useFactory: (kafka: Kafka, logger: Logger) => new KafkaProducerService(kafka, logger),
        },
        {
          provide: KafkaTransportFactory,
          inject: [KAFKA_CLIENT, KafkaProducerService, LOGGER, HealthRegistry, MetricsRegistry],
          useFactory: (
            kafka: Kafka,
            producer: KafkaProducerService,
            logger: Logger,
            health: HealthRegistry,
            metrics: MetricsRegistry,
          ) => new KafkaTransportFactory(kafka, producer, logger, health, metrics),
        },
        KafkaReadiness,
        TopicMetadata,
      ],
      exports: [KAFKA_CLIENT, KafkaProducerService, KafkaTransportFactory, TopicMetadata],
    };
  }
}
