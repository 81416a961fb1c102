import { Module, type DynamicModule } from '@nestjs/common';
import type { SqsIngesterEnv } from '@flotilla/contracts';
import { DbModule } from '@flotilla/db';
import { BrokerIngestionModule, createSqsAdapter } from '@flotilla/ingestion';
import { MessagingModule } from '@flotilla/messaging';
import { ObservabilityModule, type Logger } from '@flotilla/observability';

@Module({})
export class SqsIngesterModule {
  static forRoot(config: SqsIngesterEnv, logger: Logger): DynamicModule {
    return {
      module: SqsIngesterModule,
      imports: [
        ObservabilityModule.forRoot('sqs-ingester', logger),
        DbModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        MessagingModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: `${config.KAFKA_CLIENT_ID}-sqs-ingester`,
        }),
        BrokerIngestionModule.forRoot({
          broker: 'sqs',
          refreshMs: config.SOURCES_REFRESH_MS,
          encryptionKey: config.FLOTILLA_ENCRYPTION_KEY,
          maxMessageBytes: config.INGEST_MAX_MESSAGE_BYTES,
          adapter: (adapterLogger) =>
            createSqsAdapter({
              defaultEndpoint: config.AWS_ENDPOINT_URL_SQS,
              visibilityTimeoutSeconds: config.SQS_VISIBILITY_TIMEOUT_SECONDS,
              waitTimeSeconds: config.SQS_WAIT_TIME_SECONDS,
              logger: adapterLogger,
            }),
        }),
      ],
    };
  }
}
