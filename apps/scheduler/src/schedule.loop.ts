import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import type { SchedulerEnv } from '@flotilla/contracts';
import { ScheduleService } from '@flotilla/delivery';
import { LOGGER, type Logger } from '@flotilla/observability';

export const SCHEDULER_CONFIG = Symbol('SCHEDULER_CONFIG');

/** Runs claim rounds every interval, back to back while rounds come back full (catching up). */
@Injectable()
export class ScheduleLoop implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;

  constructor(
    private readonly schedule: ScheduleService,
    @Inject(SCHEDULER_CONFIG) private readonly config: SchedulerEnv,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.next(0);
  }

  private next(delay: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.current = this.round().then((full) => {
        this.next(full ? 0 : this.config.SCHEDULER_INTERVAL_MS);
      });
    }, delay);
  }

  private async round(): Promise<boolean> {
    try {
      const count = await this.schedule.runOnce({
        batchSize: this.config.SCHEDULER_BATCH_SIZE,
        leaseSeconds: this.config.SCHEDULER_LEASE_SECONDS,
      });
      if (count > 0) this.logger.debug({ count }, 'enqueued due deliveries');
      return count >= this.config.SCHEDULER_BATCH_SIZE;
    } catch (error) {
      // Claimed rows stay leased and come back after the lease: nothing is lost by a failed round.
      this.logger.warn({ err: error }, 'schedule round failed');
      return false;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current;
  }
}
