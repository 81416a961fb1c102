import { Module, type DynamicModule } from '@nestjs/common';
import type { SqsIngesterEnv } from '@flotilla/contracts';
import { DbModule } from '@flotilla/db';
import { BROKER_WATCH_OPTIONS, BrokerSourcesWatcher, IngestEventService } from '@flotilla/ingestion';
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
        MessagingModule.forRoot({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-sqs-ingester` }),
      ],
      providers: [
        IngestEventService,
        BrokerSourcesWatcher,
        { provide: BROKER_WATCH_OPTIONS, useValue: { broker: 'sqs', refreshMs: config.SOURCES_REFRESH_MS } },
      ],
    };
  }
}
