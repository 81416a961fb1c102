import { Module, type DynamicModule } from '@nestjs/common';
import type { SchedulerEnv } from '@flotilla/contracts';
import { DbModule } from '@flotilla/db';
import { RetentionService, ScheduleService, SchedulerBacklogMetrics } from '@flotilla/delivery';
import { kafkaClientOptionsFromEnv, MessagingModule } from '@flotilla/messaging';
import { ObservabilityModule, type Logger } from '@flotilla/observability';
import { RetentionLoop } from './retention.loop';
import { SCHEDULER_CONFIG, ScheduleLoop } from './schedule.loop';

@Module({})
export class SchedulerModule {
  static forRoot(config: SchedulerEnv, logger: Logger): DynamicModule {
    return {
      module: SchedulerModule,
      imports: [
        ObservabilityModule.forRoot('scheduler', logger),
        DbModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        MessagingModule.forRoot(kafkaClientOptionsFromEnv(config, 'scheduler')),
      ],
      providers: [
        ScheduleService,
        ScheduleLoop,
        SchedulerBacklogMetrics,
        RetentionService,
        RetentionLoop,
        { provide: SCHEDULER_CONFIG, useValue: config },
      ],
    };
  }
}
