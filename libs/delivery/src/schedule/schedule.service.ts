import { Injectable } from '@nestjs/common';
import { TOPICS, type DeliveryMessageV1 } from '@flotilla/contracts';
import { DeliveryRepository } from '@flotilla/db';
import { KafkaProducerService } from '@flotilla/messaging';
import { MetricsRegistry } from '@flotilla/observability';

/**
 * How often the scheduler checks that no ordered endpoint's head is left parked (a safety net:
 * normally the dispatcher drains a queue as its head finishes). One index probe per ordered endpoint.
 */
export const WAKE_WAITING_HEADS_MS = 10_000;

export interface ScheduleOptions {
  batchSize: number;
  leaseSeconds: number;
}

/**
 * The scheduler only enqueues: it claims deliveries whose time has come (retries, deferrals, and
 * deliveries whose message was lost) and produces them to the deliveries topic. The claim is a
 * lease, so a scheduler killed between claim and produce delays those deliveries, never loses them.
 */
@Injectable()
export class ScheduleService {
  private readonly enqueued;
  private wokeAt = 0;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly producer: KafkaProducerService,
    metrics: MetricsRegistry,
  ) {
    this.enqueued = metrics.counter(
      'flotilla_deliveries_enqueued_total',
      'Due deliveries handed to the dispatcher',
    );
  }

  /** One claim-and-produce round; returns how many it enqueued (a full batch means: go again). */
  async runOnce(options: ScheduleOptions): Promise<number> {
    if (Date.now() - this.wokeAt >= WAKE_WAITING_HEADS_MS) {
      this.wokeAt = Date.now();
      await this.deliveries.wakeWaitingHeads();
    }
    const claimed = await this.deliveries.claimDue(options.batchSize, options.leaseSeconds);
    if (claimed.length === 0) return 0;
    await this.producer.send(
      TOPICS.deliveries.name,
      claimed.map((delivery) => {
        const message: DeliveryMessageV1 = {
          v: 1,
          delivery_id: delivery.id,
          event_id: delivery.eventId,
          endpoint_id: delivery.endpointId,
          project_id: delivery.projectId,
          origin: 'scheduler',
        };
        return { key: delivery.endpointId, value: JSON.stringify(message) };
      }),
    );
    this.enqueued.inc(claimed.length);
    return claimed.length;
  }
}
