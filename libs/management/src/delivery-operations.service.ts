import { Injectable } from '@nestjs/common';
import {
  eventMessageKey,
  headerMapSchema,
  MAX_MANUAL_BATCH,
  TOPICS,
  UUID_PATTERN,
  type BatchOperationResult,
  type BatchReplayQuery,
  type BatchRetryQuery,
  type DeliveryMessageV1,
  type DeliveryStatus,
  type EventMessageV1,
  type EventTarget,
  type ForceResendBody,
} from '@flotilla/contracts';
import {
  DeliveryRepository,
  EventRepository,
  type ClaimedDelivery,
  type DeliveryFilters,
  type Event,
  type EventDelivery,
  type EventFilters,
} from '@flotilla/db';
import { DELIVERY_SAFETY_LEASE_MS } from '@flotilla/delivery';
import { KafkaProducerService } from '@flotilla/messaging';
import { MetricsRegistry } from '@flotilla/observability';
import { deliveryFilters, eventFilters } from './event-log.service';
import { ManagementError } from './management-error';

/**
 * A resent delivery is not due before this: its message is produced right away, and if that message
 * is lost the scheduler sends it when the lease runs out (as for a new delivery).
 */
const LEASE_SECONDS = DELIVERY_SAFETY_LEASE_MS / 1000;
/** Rows per batch-retry statement and per produce request (the producer's own batch limit). */
const RETRY_CHUNK = 5000;
/** Events per replay statement. */
const REPLAY_CHUNK = 1000;

/**
 * Convoy's manual operations: resend, force resend, batch retry, event replay. Each puts deliveries
 * back to Scheduled in one set-based statement first (the deliver stage skips final ones) and then
 * produces their messages, so they go out now rather than when the scheduler gets to them.
 */
@Injectable()
export class DeliveryOperationsService {
  private readonly enqueued;

  constructor(
    private readonly deliveries: DeliveryRepository,
    private readonly events: EventRepository,
    private readonly producer: KafkaProducerService,
    metrics: MetricsRegistry,
  ) {
    this.enqueued = metrics.counter(
      'flotilla_manual_deliveries_enqueued_total',
      'Deliveries sent again on request (resend, force resend, batch retry, replay)',
      ['operation'],
    );
  }

  /** `PUT /eventdeliveries/{id}/resend`: anything but a success, sent again now. */
  async resend(projectId: string, id: string): Promise<EventDelivery> {
    const valid = UUID_PATTERN.test(id);
    const [row] = valid
      ? await this.deliveries.reschedule(projectId, [id], {
          includeSuccess: false,
          leaseSeconds: LEASE_SECONDS,
        })
      : [];
    if (!row) {
      const existing = valid ? await this.deliveries.findById(projectId, id) : null;
      if (!existing) throw new ManagementError('not_found', `event delivery ${id} not found`);
      throw new ManagementError(
        'validation',
        `event delivery ${id} already succeeded: use forceresend to send it again`,
      );
    }
    // Read before producing, so the answer shows the state the request left, not a race with the send.
    const delivery = await this.deliveries.findById(projectId, id);
    await this.enqueue('resend', [row]);
    if (!delivery) throw new ManagementError('not_found', `event delivery ${id} not found`);
    return delivery;
  }

  /** `POST /eventdeliveries/forceresend`: successes too; ids not in this project count as failures. */
  async forceResend(projectId: string, body: ForceResendBody): Promise<BatchOperationResult> {
    const ids = [...new Set(body.ids.map((id) => id.toLowerCase()))];
    const rows = await this.deliveries.reschedule(projectId, ids, {
      includeSuccess: true,
      leaseSeconds: LEASE_SECONDS,
    });
    await this.enqueue('forceresend', rows);
    return { successes: rows.length, failures: ids.length - rows.length };
  }

  /**
   * `POST /eventdeliveries/batchretry`: every matching delivery that did not succeed, in chunks (one
   * UPDATE … RETURNING and one produce each), so memory stays bounded however many match.
   */
  async batchRetry(projectId: string, query: BatchRetryQuery): Promise<BatchOperationResult> {
    const filters = retryFilters(query);
    let successes = 0;
    if (!filters) return { successes, failures: 0 };
    let before: string | undefined;
    for (;;) {
      const rows = await this.deliveries.rescheduleRetryable(projectId, filters, {
        limit: RETRY_CHUNK,
        before,
        leaseSeconds: LEASE_SECONDS,
      });
      if (rows.length === 0) break;
      await this.enqueue('batchretry', rows);
      successes += rows.length;
      before = smallestId(rows);
    }
    return { successes, failures: 0 };
  }

  /** `GET /eventdeliveries/countbatchretryevents`: what a batch retry with these filters would take. */
  countBatchRetry(projectId: string, query: BatchRetryQuery): Promise<number> {
    const filters = retryFilters(query);
    return filters ? this.deliveries.countRetryable(projectId, filters) : Promise.resolve(0);
  }

  /** `GET /events/countbatchreplayevents`: how many events a batch replay with these filters selects. */
  countBatchReplay(projectId: string, query: BatchReplayQuery): Promise<number> {
    return this.deliveries.countEvents(projectId, replayFilters(query));
  }

  /** `PUT /events/{id}/replay`: every delivery of the event sent again, or the event routed again. */
  async replay(projectId: string, eventId: string): Promise<Event> {
    const event = UUID_PATTERN.test(eventId)
      ? await this.events.findById(projectId, eventId)
      : null;
    if (!event) throw new ManagementError('not_found', `event ${eventId} not found`);
    const result = await this.replayEvents(projectId, [event.id]);
    if (result.failures > 0) {
      throw new ManagementError(
        'validation',
        `event ${eventId} has no deliveries and its target cannot be routed again`,
      );
    }
    return event;
  }

  /**
   * `POST /events/batchreplay`: bounded, because a replay re-sends successful deliveries too: more
   * than MAX_MANUAL_BATCH matching events is refused (narrow the dates) rather than half done.
   */
  async batchReplay(projectId: string, query: BatchReplayQuery): Promise<BatchOperationResult> {
    const ids = await this.deliveries.findEventIds(
      projectId,
      replayFilters(query),
      MAX_MANUAL_BATCH + 1,
    );
    if (ids.length > MAX_MANUAL_BATCH) {
      throw new ManagementError(
        'validation',
        `more than ${MAX_MANUAL_BATCH} events match: narrow the filters (startDate, endDate, eventType) and replay in parts`,
      );
    }
    const total: BatchOperationResult = { successes: 0, failures: 0 };
    for (let start = 0; start < ids.length; start += REPLAY_CHUNK) {
      const result = await this.replayEvents(projectId, ids.slice(start, start + REPLAY_CHUNK));
      total.successes += result.successes;
      total.failures += result.failures;
    }
    return total;
  }

  /**
   * Re-sends the events' deliveries; an event without any goes back to the route stage with its own
   * id (routing is idempotent on ids, so a concurrent first routing makes nothing twice).
   */
  private async replayEvents(
    projectId: string,
    eventIds: readonly string[],
  ): Promise<BatchOperationResult> {
    const rows = await this.deliveries.rescheduleByEvents(projectId, eventIds, LEASE_SECONDS);
    await this.enqueue('replay', rows);
    const sent = new Set(rows.map((row) => row.eventId));
    const undelivered = await this.deliveries.eventsWithoutDeliveries(
      projectId,
      eventIds.filter((id) => !sent.has(id)),
    );
    const messages = undelivered.flatMap((event) => rerouteMessage(event) ?? []);
    await this.producer.send(
      TOPICS.events.name,
      messages.map((message) => ({
        key: eventMessageKey(message),
        value: JSON.stringify(message),
      })),
    );
    const failures = undelivered.length - messages.length;
    return { successes: eventIds.length - failures, failures };
  }

  private async enqueue(operation: string, rows: readonly ClaimedDelivery[]): Promise<void> {
    await this.producer.send(
      TOPICS.deliveries.name,
      rows.map((row) => ({ key: row.endpointId, value: JSON.stringify(deliveryMessage(row)) })),
    );
    this.enqueued.inc({ operation }, rows.length);
  }
}

export function deliveryMessage(row: ClaimedDelivery): DeliveryMessageV1 {
  return {
    v: 1,
    delivery_id: row.id,
    event_id: row.eventId,
    endpoint_id: row.endpointId,
    project_id: row.projectId,
    origin: 'manual',
  };
}

/** The accepted-event message an event row was made from, or undefined when its target is not routable. */
export function rerouteMessage(event: Event): EventMessageV1 | undefined {
  let target: EventTarget | undefined;
  switch (event.targetKind) {
    case 'single':
      target = event.endpointId ? { kind: 'single', endpoint_id: event.endpointId } : undefined;
      break;
    case 'fanout':
      target = event.ownerId ? { kind: 'fanout', owner_id: event.ownerId } : undefined;
      break;
    case 'broadcast':
      target = { kind: 'broadcast' };
      break;
    case 'dynamic':
      target = undefined;
      break;
  }
  if (!target) return undefined;
  const headers = headerMapSchema.safeParse(event.headers);
  return {
    v: 1,
    event_id: event.id,
    project_id: event.projectId,
    target,
    event_type: event.eventType,
    data: event.rawData,
    custom_headers: headers.success ? headers.data : {},
    idempotency_key: event.idempotencyKey ?? undefined,
    source_id: event.sourceId ?? undefined,
    broker_message_id: event.brokerMessageId ?? undefined,
    accepted_at: event.acceptedAt.toISOString(),
  };
}

/**
 * Batch-retry filters: Failure when no status is given, and never Success (that is force resend).
 * Undefined when only Success was asked for: nothing can match.
 */
export function retryFilters(query: BatchRetryQuery): DeliveryFilters | undefined {
  const statuses = (query.status ?? ['Failure']).filter(
    (status): status is Exclude<DeliveryStatus, 'Success'> => status !== 'Success',
  );
  if (statuses.length === 0) return undefined;
  return { ...deliveryFilters(query), statuses: [...new Set(statuses)] };
}

export function replayFilters(query: BatchReplayQuery): EventFilters {
  return eventFilters(query);
}

/** Postgres returns uuids in lowercase hex, whose string order is the uuid order. */
function smallestId(rows: readonly ClaimedDelivery[]): string {
  return rows.reduce((smallest, row) => (row.id < smallest ? row.id : smallest), rows[0]!.id);
}
