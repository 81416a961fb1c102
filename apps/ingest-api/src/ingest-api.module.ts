import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { IngestApiEnv } from '@flotilla/contracts';
import { DbModule } from '@flotilla/db';
import { EgressPolicy } from '@flotilla/delivery';
import { CredentialsCipher, IngestEventService } from '@flotilla/ingestion';
import {
  IngestFailuresService,
  ManagementModule,
  SOURCE_EGRESS_POLICY,
  SourcesService,
} from '@flotilla/management';
import { MessagingModule } from '@flotilla/messaging';
import { ObservabilityModule, type Logger } from '@flotilla/observability';
import { EndpointsController } from './controllers/endpoints.controller';
import { EventDeliveriesController } from './controllers/event-deliveries.controller';
import { EventsController } from './controllers/events.controller';
import { IngestFailuresController } from './controllers/ingest-failures.controller';
import { ProjectsController } from './controllers/projects.controller';
import { SourcesController } from './controllers/sources.controller';
import { SubscriptionsController } from './controllers/subscriptions.controller';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { ADMIN_TOKEN, AdminGuard, ProjectGuard } from './http/auth.guard';

@Module({})
export class IngestApiModule {
  static forRoot(config: IngestApiEnv, logger: Logger): DynamicModule {
    return {
      module: IngestApiModule,
      imports: [
        ObservabilityModule.forRoot('ingest-api', logger),
        DbModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        MessagingModule.forRoot({ brokers: config.KAFKA_BROKERS, clientId: `${config.KAFKA_CLIENT_ID}-ingest-api` }),
        ManagementModule.forRoot({ egressAllow: config.FLOTILLA_EGRESS_ALLOW }),
      ],
      controllers: [
        ProjectsController,
        EndpointsController,
        SubscriptionsController,
        EventsController,
        EventDeliveriesController,
        SourcesController,
        IngestFailuresController,
      ],
      providers: [
        IngestEventService,
        SourcesService,
        IngestFailuresService,
        { provide: CredentialsCipher, useFactory: () => new CredentialsCipher(config.FLOTILLA_ENCRYPTION_KEY) },
        { provide: SOURCE_EGRESS_POLICY, useFactory: () => new EgressPolicy(config.FLOTILLA_EGRESS_ALLOW) },
        AdminGuard,
        ProjectGuard,
        { provide: ADMIN_TOKEN, useValue: config.FLOTILLA_ADMIN_TOKEN },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
      ],
    };
  }
}
