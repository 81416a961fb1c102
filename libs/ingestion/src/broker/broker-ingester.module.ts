import { Module, type DynamicModule } from '@nestjs/common';
import type { BrokerKind, KafkaEnv, SqsIngesterEnv } from '@flotilla/contracts';
import { DbModule } from '@flotilla/db';
import { kafkaClientOptionsFromEnv, MessagingModule } from '@flotilla/messaging';
import { ObservabilityModule, type Logger } from '@flotilla/observability';
import { BrokerIngestionModule } from './broker-ingestion.module';
import type { BrokerSourceAdapter } from './broker-source.adapter';

/** What every ingester reads from its environment (its schema adds the broker's settings). */
export type IngesterEnv = KafkaEnv &
  Pick<
    SqsIngesterEnv,
    | 'DATABASE_URL'
    | 'DATABASE_POOL_SIZE'
    | 'SOURCES_REFRESH_MS'
    | 'FLOTILLA_ENCRYPTION_KEY'
    | 'INGEST_MAX_MESSAGE_BYTES'
  >;

/** The service that ingests each broker's sources. */
const INGESTER_SERVICE = {
  google: 'pubsub-ingester',
  sqs: 'sqs-ingester',
  amqp: 'amqp-ingester',
} as const satisfies Record<BrokerKind, string>;

/**
 * An ingester service (pubsub-ingester, sqs-ingester, amqp-ingester): logs and metrics, the database, Kafka, and
 * the sources of one broker run on `adapter` (the only broker-specific piece).
 */
@Module({})
export class BrokerIngesterModule {
  static forRoot<B extends BrokerKind>(
    broker: B,
    config: IngesterEnv,
    logger: Logger,
    adapter: (logger: Logger) => Promise<BrokerSourceAdapter<B>>,
  ): DynamicModule {
    const service = INGESTER_SERVICE[broker];
    return {
      module: BrokerIngesterModule,
      imports: [
        ObservabilityModule.forRoot(service, logger),
        DbModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        MessagingModule.forRoot(kafkaClientOptionsFromEnv(config, service)),
        BrokerIngestionModule.forRoot({
          broker,
          refreshMs: config.SOURCES_REFRESH_MS,
          encryptionKey: config.FLOTILLA_ENCRYPTION_KEY,
          maxMessageBytes: config.INGEST_MAX_MESSAGE_BYTES,
          adapter,
        }),
      ],
    };
  }
}
