import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SourceRepository, type Source } from '@flotilla/db';
import { LOGGER, MetricsRegistry, type Logger } from '@flotilla/observability';

export const BROKER_WATCH_OPTIONS = Symbol('BROKER_WATCH_OPTIONS');

export interface BrokerWatchOptions {
  broker: 'google' | 'sqs' | 'amqp';
  refreshMs: number;
}

/**
 * Keeps an ingester's view of its broker sources fresh by re-reading them from the database, so
 * created, changed, paused and deleted sources take effect without a restart. The per-source pullers
 * attach here (`onChange`).
 */
@Injectable()
export class BrokerSourcesWatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sources: Source[] = [];
  private readonly gauge;
  private readonly listeners: ((sources: readonly Source[]) => Promise<void>)[] = [];

  constructor(
    private readonly repository: SourceRepository,
    @Inject(BROKER_WATCH_OPTIONS) private readonly options: BrokerWatchOptions,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.gauge = metrics.gauge(
      'flotilla_ingester_sources',
      'Active broker sources this ingester runs',
      ['broker'],
    );
  }

  get current(): readonly Source[] {
    return this.sources;
  }

  onChange(listener: (sources: readonly Source[]) => Promise<void>): void {
    this.listeners.push(listener);
  }

  onApplicationBootstrap(): void {
    void this.refresh();
  }

  private async refresh(): Promise<void> {
    if (this.isStopped()) return;
    try {
      this.sources = await this.repository.listActiveBrokerSources(this.options.broker);
      this.gauge.set({ broker: this.options.broker }, this.sources.length);
      for (const listener of this.listeners) await listener(this.sources);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not refresh broker sources');
    }
    // A refresh still running at shutdown must not schedule another.
    if (!this.isStopped())
      this.timer = setTimeout(() => void this.refresh(), this.options.refreshMs);
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}
