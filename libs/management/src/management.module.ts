import { Module, type DynamicModule } from '@nestjs/common';
import { EgressPolicy } from '@flotilla/delivery';
import { DeliveryOperationsService } from './delivery-operations.service';
import { EndpointsService, EGRESS_POLICY } from './endpoints.service';
import { EventLogService } from './event-log.service';
import { ProjectsService } from './projects.service';
import { SubscriptionsService } from './subscriptions.service';

@Module({})
export class ManagementModule {
  static forRoot(options: { egressAllow: readonly string[] }): DynamicModule {
    return {
      module: ManagementModule,
      providers: [
        ProjectsService,
        EndpointsService,
        SubscriptionsService,
        EventLogService,
        DeliveryOperationsService,
        { provide: EGRESS_POLICY, useFactory: () => new EgressPolicy(options.egressAllow) },
      ],
      exports: [ProjectsService, EndpointsService, SubscriptionsService, EventLogService, DeliveryOperationsService],
    };
  }
}
