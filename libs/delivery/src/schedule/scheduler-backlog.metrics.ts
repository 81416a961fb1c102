import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerBacklogRepository, type DueBacklog } from '@flotilla/db';
import {
  LOGGER,
  MetricsRegistry,
  schedulerBacklogGauges,
  type Logger,
} from '@flotilla/observability';

/**
 * The scheduler's backlog (due deliveries and the age of the oldest), read from Postgres when
 * /metrics is scraped: one bounded index scan per scrape, shared by both gauges.
 */
@Injectable()
export class SchedulerBacklogMetrics implements OnApplicationBootstrap {
  private pending: Promise<DueBacklog | undefined> | undefined;

  constructor(
    private readonly backlog: SchedulerBacklogRepository,
    private readonly metrics: MetricsRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    schedulerBacklogGauges(this.metrics, () => this.read());
  }

  private read(): Promise<DueBacklog | undefined> {
    this.pending ??= this.backlog
      .dueBacklog()
      .catch((error: unknown) => {
        // The database being down shows in /health; the gauges keep their last values.
        this.logger.debug({ err: error }, 'scheduler backlog not read');
        return undefined;
      })
      .finally(() => {
        setTimeout(() => {
          this.pending = undefined;
        }, 1000).unref();
      });
    return this.pending;
  }
}
