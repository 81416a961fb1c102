import {
  Global,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { HealthRegistry } from '@flotilla/observability';
import { PrismaService, type DatabaseOptions } from './prisma.service';
import { AttemptRepository } from './repositories/attempt.repository';
import { DeliveryRepository } from './repositories/delivery.repository';
import { DynamicEndpointRepository } from './repositories/dynamic-endpoint.repository';
import { EndpointRepository, SubscriptionRepository } from './repositories/endpoint.repository';
import { EventRepository } from './repositories/event.repository';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { ProjectRepository } from './repositories/project.repository';
import { RoutingRepository } from './repositories/routing.repository';
import { SourceRepository } from './repositories/source.repository';
import { IngestFailureRepository } from './repositories/ingest-failure.repository';
import { EventTypeRepository } from './repositories/event-type.repository';
import { OverviewRepository } from './repositories/overview.repository';
import { MetaEventRepository } from './repositories/meta-event.repository';
import { PortalLinkRepository } from './repositories/portal-link.repository';
import { SchedulerBacklogRepository } from './repositories/scheduler-backlog.repository';
import { RetentionRepository } from './repositories/retention.repository';

const repositories = [
  ProjectRepository,
  ApiKeyRepository,
  EndpointRepository,
  SubscriptionRepository,
  RoutingRepository,
  EventRepository,
  DeliveryRepository,
  AttemptRepository,
  SourceRepository,
  IngestFailureRepository,
  DynamicEndpointRepository,
  EventTypeRepository,
  PortalLinkRepository,
  MetaEventRepository,
  OverviewRepository,
  SchedulerBacklogRepository,
  RetentionRepository,
];

@Injectable()
class DatabaseReadiness implements OnApplicationBootstrap {
  constructor(
    private readonly prisma: PrismaService,
    private readonly health: HealthRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.health.register('database', () => this.prisma.ping());
  }
}

@Global()
@Module({})
export class DbModule {
  static forRoot(options: DatabaseOptions): DynamicModule {
    return {
      module: DbModule,
      providers: [
        { provide: PrismaService, useFactory: () => new PrismaService(options) },
        DatabaseReadiness,
        ...repositories,
      ],
      exports: [PrismaService, ...repositories],
    };
  }
}
