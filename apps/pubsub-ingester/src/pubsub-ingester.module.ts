import { Module, type DynamicModule } from '@nestjs/common';
import type { PubsubIngesterEnv } from '@flotilla/contracts';
import { DbModule } from '@flotilla/db';
import { BrokerIngestionModule, createPubsubAdapter } from '@flotilla/ingestion';
import { MessagingModule } from '@flotilla/messaging';
import { ObservabilityModule, type Logger } from '@flotilla/observability';

@Module({})
export class PubsubIngesterModule {
  static forRoot(config: PubsubIngesterEnv, logger: Logger): DynamicModule {
    return {
      module: PubsubIngesterModule,
      imports: [
        ObservabilityModule.forRoot('pubsub-ingester', logger),
        DbModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        MessagingModule.forRoot({
          brokers: config.KAFKA_BROKERS,
          clientId: `${config.KAFKA_CLIENT_ID}-pubsub-ingester`,
        }),
        BrokerIngestionModule.forRoot({
          broker: 'google',
          refreshMs: config.SOURCES_REFRESH_MS,
          encryptionKey: config.FLOTILLA_ENCRYPTION_KEY,
          maxMessageBytes: config.INGEST_MAX_MESSAGE_BYTES,
          adapter: (adapterLogger) =>
            createPubsubAdapter({
              emulatorHost: config.PUBSUB_EMULATOR_HOST,
              maxMessagesPerWorker: config.PUBSUB_MAX_MESSAGES_PER_WORKER,
              logger: adapterLogger,
            }),
        }),
      ],
    };
  }
}
