import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { TOPICS, type DeliveryMessageV1 } from '@flotilla/contracts';
import {
  KafkaProducerService,
  partitionOf,
  startHandOffSpans,
  TopicMetadata,
  type OutgoingMessage,
} from '@flotilla/messaging';
import { LOGGER, traceHeadersFor, type Logger } from '@flotilla/observability';
import { DispatchService } from './dispatch.service';

export const LOCAL_HAND_OFF_SETTINGS = Symbol('LOCAL_HAND_OFF_SETTINGS');

/**
 * The safety lease of a delivery sent in-process: its attempt's timeout plus a margin for queueing.
 * If the process dies before the result is written, the scheduler re-enqueues it this soon, not
 * after the five minutes a delivery handed on through the topic gets (which Kafka itself keeps).
 */
export function localLeaseMs(httpTimeoutSeconds: number): number {
  return (httpTimeoutSeconds + 30) * 1000;
}

export interface LocalHandOffSettings {
  /** DISPATCH_LOCAL_HANDOFF: off sends every new delivery through the deliveries topic. */
  enabled: boolean;
  /** Deliveries handed over and not yet finished, at most (then the topic takes the rest). */
  maxInFlight: number;
  /**
   * The same for one endpoint. Below the sender's own per-endpoint cap, so that a burst handed over
   * at once is never deferred as "endpoint busy", and the deliver stage keeps room for retries.
   */
  maxInFlightPerEndpoint: number;
}

/** Which of a batch's new deliveries stay in this process, and which go through the topic. */
export interface HandOffSplit {
  local: DeliveryMessageV1[];
  viaTopic: DeliveryMessageV1[];
}

/**
 * Splits new deliveries: those whose endpoint's deliveries partition this replica's deliver stage
 * owns, and that are not for an ordered endpoint, stay local while there is room; the rest go
 * through the deliveries topic to whichever replica owns them.
 */
export function splitHandOff(
  messages: readonly DeliveryMessageV1[],
  options: {
    owns: (endpointId: string) => boolean;
    ordered: ReadonlySet<string>;
    /** How many more may stay local, in all and for one endpoint. */
    room: number;
    roomFor: (endpointId: string) => number;
  },
): HandOffSplit {
  const split: HandOffSplit = { local: [], viaTopic: [] };
  const kept = new Map<string, number>();
  for (const message of messages) {
    const endpoint = message.endpoint_id;
    const keptForEndpoint = kept.get(endpoint) ?? 0;
    const stays =
      split.local.length < options.room &&
      keptForEndpoint < options.roomFor(endpoint) &&
      !options.ordered.has(endpoint) &&
      options.owns(endpoint);
    if (stays) kept.set(endpoint, keptForEndpoint + 1);
    (stays ? split.local : split.viaTopic).push(message);
  }
  return split;
}

/** The deliveries topic's messages for these deliveries, keyed by endpoint like every producer. */
export function deliveryRecords(messages: readonly DeliveryMessageV1[]): OutgoingMessage[] {
  return messages.map((delivery) => ({
    key: delivery.endpoint_id,
    value: JSON.stringify(delivery),
    headers: traceHeadersFor(delivery.event_id),
  }));
}

/**
 * Route stage → deliver stage without the second Kafka hop. A new delivery whose endpoint this
 * replica's deliver stage owns (its key's partition of the deliveries topic is assigned here) is
 * sent in this process right after its row is written, instead of being produced to Kafka and
 * fetched and decoded back by the same process. Everything else is unchanged: ownership keeps each endpoint's rate limit,
 * breaker and in-flight cap in one process; ordered endpoints and deliveries of other replicas go
 * through the topic; retries come back through the scheduler and the topic.
 *
 * The route stage does not wait for these sends (a slow endpoint must not hold up an events
 * partition). If the process dies first, the delivery row is still `Scheduled` with its short
 * safety lease (`localLeaseMs`), and the scheduler re-enqueues it when that passes ("lost hand-offs
 * heal"); a graceful shutdown waits for them.
 */
@Injectable()
export class LocalHandOff implements BeforeApplicationShutdown {
  private owned: ReadonlySet<number> = new Set();
  /** The deliveries topic's partition count as the broker reports it (0: unknown, none local). */
  private partitionCount = 0;
  private readonly partitions = new Map<string, number>();
  private generation = 0;
  private inFlight = 0;
  private readonly inFlightByEndpoint = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly dispatcher: DispatchService,
    private readonly producer: KafkaProducerService,
    @Inject(LOCAL_HAND_OFF_SETTINGS) private readonly settings: LocalHandOffSettings,
    private readonly topics: TopicMetadata,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * The deliveries partitions this replica's deliver stage was just assigned. Ownership is only
   * known with the topic's real partition count (operators may have grown it), so it is read from
   * the broker; until then, and if that fails, every delivery goes through the topic.
   */
  async assign(partitions: readonly number[]): Promise<void> {
    // A later rebalance may finish first; only the newest assignment counts.
    const generation = ++this.generation;
    this.owned = new Set();
    if (!this.settings.enabled || partitions.length === 0) return;
    try {
      const count = await this.topics.partitionCount(TOPICS.deliveries.name);
      if (generation !== this.generation || count === 0) return;
      if (count !== this.partitionCount) this.partitions.clear();
      this.partitionCount = count;
      this.owned = new Set(partitions);
    } catch (error) {
      this.logger.warn({ err: error }, 'deliveries topic metadata unknown: no local hand-off');
    }
  }

  /**
   * Which new deliveries this process will send itself, and which go through the topic. Decided
   * before their rows are written, so the local ones get the short lease (`localLeaseMs`).
   */
  split(
    messages: readonly DeliveryMessageV1[],
    orderedEndpoints: ReadonlySet<string>,
  ): HandOffSplit {
    return splitHandOff(messages, {
      owns: (endpointId) => this.owned.size > 0 && this.owned.has(this.partitionOf(endpointId)),
      ordered: orderedEndpoints,
      room:
        this.settings.enabled && !this.closing
          ? Math.max(0, this.settings.maxInFlight - this.inFlight)
          : 0,
      roomFor: (endpointId) =>
        this.settings.maxInFlightPerEndpoint - (this.inFlightByEndpoint.get(endpointId) ?? 0),
    });
  }

  /** Hands a split's deliveries on, once their rows are written: the topic's, then the local ones. */
  async handOn({ local, viaTopic }: HandOffSplit): Promise<void> {
    await this.producer.send(TOPICS.deliveries.name, deliveryRecords(viaTopic));
    if (local.length > 0) this.start(local);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.all(this.running);
  }

  private start(messages: DeliveryMessageV1[]): void {
    this.count(messages, 1);
    // Traced events: each delivery's span continues its event's trace, as deliver.consume would.
    const endSpans = startHandOffSpans(
      'deliver.handoff',
      messages.map((message) => ({ id: message.delivery_id, parentId: message.event_id })),
    );
    const work = this.dispatcher
      .dispatchUnordered(messages)
      // An endpoint made ordered since the routing table was cached: its queue is the topic's.
      .then(({ ordered }) => this.producer.send(TOPICS.deliveries.name, deliveryRecords(ordered)))
      .catch((error: unknown) => {
        // The rows stay Scheduled with their safety lease: the scheduler re-enqueues them.
        this.logger.warn(
          { err: error, deliveries: messages.length },
          'local hand-off failed; the scheduler will re-enqueue',
        );
      })
      .finally(() => {
        endSpans();
        this.count(messages, -1);
        this.running.delete(work);
      });
    this.running.add(work);
  }

  private count(messages: readonly DeliveryMessageV1[], sign: 1 | -1): void {
    this.inFlight += sign * messages.length;
    for (const { endpoint_id: endpoint } of messages) {
      const open = (this.inFlightByEndpoint.get(endpoint) ?? 0) + sign;
      if (open === 0) this.inFlightByEndpoint.delete(endpoint);
      else this.inFlightByEndpoint.set(endpoint, open);
    }
  }

  private partitionOf(endpointId: string): number {
    let partition = this.partitions.get(endpointId);
    if (partition === undefined) {
      // Bounded by the endpoints routed to; cleared wholesale rather than tracked (cheap to redo).
      if (this.partitions.size >= 100_000) this.partitions.clear();
      partition = partitionOf(TOPICS.deliveries.name, endpointId, this.partitionCount);
      this.partitions.set(endpointId, partition);
    }
    return partition;
  }
}
