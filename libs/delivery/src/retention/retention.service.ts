import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { projectConfigSchema, retentionPeriodMs } from '@flotilla/contracts';
import { RetentionRepository } from '@flotilla/db';
import { LOGGER, MetricsRegistry, type Logger } from '@flotilla/observability';

const DEFAULT_POLICY = '720h';

export interface RetentionRoundOptions {
  /** Events per delete statement. */
  batchSize: number;
  /** The share of time (percent) spent deleting; the rest of it is rest after each batch. */
  dutyPercent?: number;
  /** Stop early (shutdown). */
  stopped?: () => boolean;
  now?: Date;
}

/**
 * Enforces each project's `retention_policy`: deletes events older than the period with their
 * deliveries and attempts, in small batches (one short statement each, ADR 0012), resting after
 * each batch so that deleting takes at most `dutyPercent` of the time.
 */
@Injectable()
export class RetentionService {
  private readonly deleted;

  constructor(
    private readonly retention: RetentionRepository,
    @Inject(LOGGER) private readonly logger: Logger,
    metrics: MetricsRegistry,
  ) {
    this.deleted = metrics.counter(
      'flotilla_retention_deleted_events_total',
      'Events deleted (with their deliveries and attempts) because they outlived their retention period',
    );
  }

  /** One pass over every project; returns how many events were deleted. */
  async runOnce(options: RetentionRoundOptions): Promise<number> {
    const now = options.now ?? new Date();
    let total = 0;
    for (const project of await this.retention.projectConfigs()) {
      const cutoff = new Date(now.getTime() - periodOf(project.config));
      const events = await this.inBatches(options, (limit) =>
        this.retention.deleteOlderThan(project.id, cutoff, limit),
      );
      total += events;
      this.deleted.inc(events);
      // The meta event log expires with the events it reported on.
      await this.inBatches(options, (limit) =>
        this.retention.deleteMetaEventsOlderThan(project.id, cutoff, limit),
      );
      if (options.stopped?.()) return total;
    }
    if (total > 0) this.logger.info({ events: total }, 'retention deleted old events');
    return total;
  }

  /** Runs a batched delete until a batch comes back short (or the service stops). */
  private async inBatches(
    options: RetentionRoundOptions,
    deleteBatch: (limit: number) => Promise<number>,
  ): Promise<number> {
    let total = 0;
    for (;;) {
      if (options.stopped?.()) return total;
      const started = performance.now();
      const count = await deleteBatch(options.batchSize);
      total += count;
      if (count < options.batchSize) return total;
      // Rest so that deleting uses at most `dutyPercent` of the database's time: ingest, routing
      // and delivery keep theirs even while a large backlog expires.
      const took = performance.now() - started;
      const duty = (options.dutyPercent ?? 25) / 100;
      await sleep(Math.min(5000, (took * (1 - duty)) / duty));
    }
  }
}

function periodOf(config: unknown): number {
  const parsed = projectConfigSchema.shape.retention_policy.safeParse(
    (config as { retention_policy?: unknown } | null)?.retention_policy,
  );
  return retentionPeriodMs(parsed.success ? parsed.data.policy : DEFAULT_POLICY);
}
