import { Module, type DynamicModule } from '@nestjs/common';
import type { PubsubIngesterEnv } from '@flotilla/contracts';
import { BrokerIngesterModule, createPubsubAdapter } from '@flotilla/ingestion';
import type { Logger } from '@flotilla/observability';

/** The ingester of Google Pub/Sub sources. */
@Module({})
export class PubsubIngesterModule {
  static forRoot(config: PubsubIngesterEnv, logger: Logger): DynamicModule {
    return {
      module: PubsubIngesterModule,
      imports: [
        BrokerIngesterModule.forRoot('google', config, logger, (adapterLogger) =>
          createPubsubAdapter({
            emulatorHost: config.PUBSUB_EMULATOR_HOST,
            maxMessagesPerWorker: config.PUBSUB_MAX_MESSAGES_PER_WORKER,
            logger: adapterLogger,
          }),
        ),
      ],
    };
  }
}
