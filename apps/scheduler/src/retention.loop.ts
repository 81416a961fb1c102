import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { SchedulerEnv } from '@flotilla/contracts';
import { RetentionService } from '@flotilla/delivery';
import { LOGGER, type Logger } from '@flotilla/observability';
import { SCHEDULER_CONFIG } from './schedule.loop';

/** Runs a retention pass every `RETENTION_INTERVAL_MS` (0: never), one pass at a time. */
@Injectable()
export class RetentionLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;

  constructor(
    private readonly retention: RetentionService,
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.RETENTION_INTERVAL_MS > 0) this.next(0);
  }

  private next(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.retention
        .runOnce({
          batchSize: this.config.RETENTION_BATCH_SIZE,
          dutyPercent: this.config.RETENTION_DUTY_PERCENT,
          stopped: () => this.stopped,
        })
        .then(
          () => undefined,
          (error: unknown) => {
            // Whatever was not deleted is deleted next time.
            this.logger.warn({ err: error }, 'retention pass failed');
          },
        )
        .finally(() => {
          this.next(this.config.RETENTION_INTERVAL_MS);
        });
    }, delay);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }
}
