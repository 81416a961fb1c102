import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import type { IngestApiEnv } from '@flotilla/contracts';
import { DbModule } from '@flotilla/db';
import { EgressPolicy } from '@flotilla/egress';
import * as path from 'node:path';
import {
  EventDataValidator,
  HttpSourceIngestService,
  IngestEventService,
} from '@flotilla/ingestion';
import { CredentialsCipher } from '@flotilla/signing';
import {
  IngestFailuresService,
  ManagementModule,
  SOURCE_EGRESS_POLICY,
  SourcesService,
} from '@flotilla/management';
import { kafkaClientOptionsFromEnv, MessagingModule } from '@flotilla/messaging';
import { ObservabilityModule, type Logger } from '@flotilla/observability';
import { ApiKeysController } from './controllers/api-keys.controller';
import { EndpointsController } from './controllers/endpoints.controller';
import { EventDeliveriesController } from './controllers/event-deliveries.controller';
import { EventsController } from './controllers/events.controller';
import { IncomingWebhooksController } from './controllers/incoming-webhooks.controller';
import { IngestFailuresController } from './controllers/ingest-failures.controller';
import { ProjectsController } from './controllers/projects.controller';
import { SourcesController } from './controllers/sources.controller';
import { SubscriptionsController } from './controllers/subscriptions.controller';
import { DashboardController } from './controllers/dashboard.controller';
import { EventTypesController } from './controllers/event-types.controller';
import { OverviewController } from './controllers/overview.controller';
import { PortalCatalogController } from './controllers/portal-catalog.controller';
import { PortalEndpointsController } from './controllers/portal-endpoints.controller';
import { PortalEventLogController } from './controllers/portal-event-log.controller';
import { MetaEventsController } from './controllers/meta-events.controller';
import { PortalLinksController } from './controllers/portal-links.controller';
import { UnsupportedConvoyRoutesController } from './controllers/unsupported-convoy-routes.controller';
import { ApiExceptionFilter } from './http/api-exception.filter';
import { QueryParametersInterceptor } from './http/query-parameters.interceptor';
import { ResponseContractInterceptor } from './http/response-contract.interceptor';
import { DashboardFiles } from './http/dashboard-files';
import { PortalGuard } from './http/portal.guard';
import { PUBLIC_URL } from './http/public-url';
import { OpenApiController } from './openapi/openapi.controller';
import { ADMIN_TOKEN, AdminGuard, ProjectGuard } from './http/auth.guard';
import { ApiRateLimiter, AuthFailureLimiter } from './http/rate-limiter';

@Module({})
export class IngestApiModule {
  static forRoot(config: IngestApiEnv, logger: Logger): DynamicModule {
    return {
      module: IngestApiModule,
      imports: [
        DiscoveryModule,
        ObservabilityModule.forRoot('ingest-api', logger),
        DbModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        MessagingModule.forRoot(kafkaClientOptionsFromEnv(config, 'ingest-api')),
        ManagementModule.forRoot({
          egressAllow: config.FLOTILLA_EGRESS_ALLOW,
          maxEndpointsPerProject: config.MAX_ENDPOINTS_PER_PROJECT,
          encryptionKey: config.FLOTILLA_ENCRYPTION_KEY,
        }),
      ],
      controllers: [
        // First: its static paths must win over the other controllers' `/{id}` routes.
        UnsupportedConvoyRoutesController,
        ProjectsController,
        ApiKeysController,
        EndpointsController,
        SubscriptionsController,
        EventsController,
        EventDeliveriesController,
        SourcesController,
        IngestFailuresController,
        IncomingWebhooksController,
        EventTypesController,
        PortalLinksController,
        MetaEventsController,
        OverviewController,
        PortalCatalogController,
        PortalEndpointsController,
        PortalEventLogController,
        OpenApiController,
        DashboardController,
      ],
      providers: [
        IngestEventService,
        HttpSourceIngestService,
        SourcesService,
        IngestFailuresService,
        {
          provide: CredentialsCipher,
          useFactory: () => new CredentialsCipher(config.FLOTILLA_ENCRYPTION_KEY),
        },
        {
          provide: SOURCE_EGRESS_POLICY,
          useFactory: () => new EgressPolicy(config.FLOTILLA_EGRESS_ALLOW),
        },
        EventDataValidator,
        AdminGuard,
        ProjectGuard,
        PortalGuard,
        { provide: PUBLIC_URL, useValue: config.FLOTILLA_PUBLIC_URL },
        {
          provide: DashboardFiles,
          useFactory: () =>
            new DashboardFiles({
              // Built beside the services: dist/apps/dashboard (main.js is in dist/apps/ingest-api/apps/ingest-api/src).
              root: config.FLOTILLA_UI_DIR ?? path.resolve(__dirname, '../../../../dashboard'),
              portalFrameAncestors: config.PORTAL_FRAME_ANCESTORS,
            }),
        },
        {
          provide: ApiRateLimiter,
          useFactory: () =>
            new ApiRateLimiter({
              perSecond: config.API_RATE_LIMIT_PER_SECOND,
              burst:
                config.API_RATE_LIMIT_BURST ??
                Math.max(1, Math.ceil(config.API_RATE_LIMIT_PER_SECOND * 2)),
            }),
        },
        {
          provide: AuthFailureLimiter,
          useFactory: () => new AuthFailureLimiter(config.API_AUTH_FAILURES_PER_MINUTE),
        },
        { provide: ADMIN_TOKEN, useValue: config.FLOTILLA_ADMIN_TOKEN },
        { provide: APP_FILTER, useClass: ApiExceptionFilter },
        { provide: APP_INTERCEPTOR, useClass: QueryParametersInterceptor },
        ...(config.CHECK_RESPONSES
          ? [{ provide: APP_INTERCEPTOR, useClass: ResponseContractInterceptor }]
          : []),
      ],
    };
  }
}
