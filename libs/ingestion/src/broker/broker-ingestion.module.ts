import { Module, type DynamicModule } from '@nestjs/common';
import { LOGGER, type Logger } from '@flotilla/observability';
import {
  BROKER_WATCH_OPTIONS,
  BrokerSourcesWatcher,
  type BrokerWatchOptions,
} from '../broker-sources.watcher';
import { CredentialsCipher } from '@flotilla/signing';
import { IngestEventService } from '../ingest-event.service';
import type { BrokerKind } from '@flotilla/contracts';
import type { BrokerSourceAdapter } from './broker-source.adapter';
import {
  BROKER_INGESTION_OPTIONS,
  BROKER_SOURCE_ADAPTER,
  BrokerSourceSupervisor,
  type BrokerIngestionOptions,
} from './broker-source.supervisor';

export interface BrokerIngestionModuleOptions<B extends BrokerKind> extends BrokerIngestionOptions {
  broker: B;
  /** How often the sources are re-read from the database (SOURCES_REFRESH_MS). */
  refreshMs: number;
  /** FLOTILLA_ENCRYPTION_KEY: decrypts the sources' credentials. */
  encryptionKey: string;
  /** The broker's adapter (the only broker-specific piece). */
  adapter: (logger: Logger) => Promise<BrokerSourceAdapter<B>>;
}

/** Everything an ingester runs: the sources watcher, the supervisor and its adapter. */
@Module({})
export class BrokerIngestionModule {
  static forRoot<B extends BrokerKind>(options: BrokerIngestionModuleOptions<B>): DynamicModule {
    const watch: BrokerWatchOptions = { broker: options.broker, refreshMs: options.refreshMs };
    const ingestion: BrokerIngestionOptions = {
      broker: options.broker,
      maxMessageBytes: options.maxMessageBytes,
    };
    return {
      module: BrokerIngestionModule,
      providers: [
        IngestEventService,
        BrokerSourcesWatcher,
        { provide: BROKER_WATCH_OPTIONS, useValue: watch },
        { provide: BROKER_INGESTION_OPTIONS, useValue: ingestion },
        {
          provide: CredentialsCipher,
          useFactory: () => new CredentialsCipher(options.encryptionKey),
        },
        {
          provide: BROKER_SOURCE_ADAPTER,
          inject: [LOGGER],
          useFactory: (logger: Logger) => options.adapter(logger),
        },
        BrokerSourceSupervisor,
      ],
      exports: [BrokerSourceSupervisor],
    };
  }
}
