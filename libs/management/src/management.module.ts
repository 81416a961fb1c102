import { Module, type DynamicModule } from '@nestjs/common';
import { HttpSender, META_EVENTS, MetaEventQueue } from '@flotilla/delivery';
import { createEgressAgent, EgressPolicy } from '@flotilla/egress';
import {
  LOGGER,
  metaEventDropsCounter,
  MetricsRegistry,
  type Logger,
} from '@flotilla/observability';
import { ApiKeysService } from './api-keys.service';
import { DeliveryOperationsService } from './delivery-operations.service';
import { DynamicEndpointsService } from './dynamic-endpoints.service';
import { EndpointsService, EGRESS_POLICY, MAX_ENDPOINTS_PER_PROJECT } from './endpoints.service';
import { EventLogService } from './event-log.service';
import { EventTypesService } from './event-types.service';
import { MetaEventsService } from './meta-events.service';
import { PortalLinksService } from './portal-links.service';
import { PortalService } from './portal.service';
import { ProjectOverviewService } from './project-overview.service';
import { ProjectSettingsService } from './project-settings.service';
import { ProjectsService } from './projects.service';
import { SubscriptionsService } from './subscriptions.service';
import { MetaEventRepository } from '@flotilla/db';
import { CredentialsCipher } from '@flotilla/signing';

@Module({})
export class ManagementModule {
  static forRoot(options: {
    egressAllow: readonly string[];
    /** Live endpoints a project may have (MAX_ENDPOINTS_PER_PROJECT). */
    maxEndpointsPerProject?: number;
    /** FLOTILLA_ENCRYPTION_KEY: endpoints' OAuth2 client secrets and mTLS keys at rest. */
    encryptionKey: string;
  }): DynamicModule {
    return {
      module: ManagementModule,
      providers: [
        ProjectsService,
        ApiKeysService,
        EndpointsService,
        SubscriptionsService,
        EventLogService,
        DeliveryOperationsService,
        DynamicEndpointsService,
        { provide: EGRESS_POLICY, useFactory: () => new EgressPolicy(options.egressAllow) },
        { provide: MAX_ENDPOINTS_PER_PROJECT, useValue: options.maxEndpointsPerProject ?? 2000 },
        {
          provide: CredentialsCipher,
          useFactory: () => new CredentialsCipher(options.encryptionKey),
        },
        ProjectSettingsService,
        EventTypesService,
        PortalLinksService,
        MetaEventsService,
        PortalService,
        ProjectOverviewService,
        {
          // Meta events leave through the egress guard too (a meta URL's host is checked when connecting).
          provide: META_EVENTS,
          useFactory: (
            policy: EgressPolicy,
            logger: Logger,
            metrics: MetricsRegistry,
            metaEventLog: MetaEventRepository,
          ) => {
            const drops = metaEventDropsCounter(metrics);
            return new MetaEventQueue(new HttpSender(createEgressAgent(policy)), logger, {
              onDrop: () => {
                drops.inc();
              },
              log: metaEventLog,
            });
          },
          inject: [EGRESS_POLICY, LOGGER, MetricsRegistry, MetaEventRepository],
        },
      ],
      exports: [
        ProjectsService,
        ApiKeysService,
        EndpointsService,
        SubscriptionsService,
        EventLogService,
        DeliveryOperationsService,
        DynamicEndpointsService,
        ProjectSettingsService,
        EventTypesService,
        PortalLinksService,
        MetaEventsService,
        PortalService,
        ProjectOverviewService,
      ],
    };
  }
}
