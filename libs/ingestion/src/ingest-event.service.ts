import { Injectable } from '@nestjs/common';
import {
  eventMessageKey,
  newId,
  TOPICS,
  UUID_PATTERN,
  type EventMessageV1,
  type EventTarget,
} from '@flotilla/contracts';
import { EndpointRepository } from '@flotilla/db';
import { BrokerUnavailableError, KafkaProducerService } from '@flotilla/messaging';
import { MetricsRegistry } from '@flotilla/observability';
import { IngestError } from './ingest-errors';

export interface IngestEventCommand {
  projectId: string;
  target: EventTarget;
  eventType: string;
  /** The event's data as the exact JSON text received. */
  rawData: string;
  customHeaders?: Record<string, string> | undefined;
  idempotencyKey?: string | undefined;
  sourceId?: string | undefined;
  brokerMessageId?: string | undefined;
  /** 'http' or the broker name, for the metric. */
  channel: string;
}

const ENDPOINT_CACHE_MS = 5000;

/**
 * Accepting an event, the same for HTTP and broker ingestion: check the target exists, give the
 * event its id, and produce it to Kafka with acks=all. It resolves only after Kafka acknowledged, so
 * a 201 (or a broker ack) means the event is durable.
 */
@Injectable()
export class IngestEventService {
  private readonly knownEndpoints = new Map<string, number>();
  private readonly accepted;

  constructor(
    private readonly endpoints: EndpointRepository,
    private readonly producer: KafkaProducerService,
    metrics: MetricsRegistry,
  ) {
    this.accepted = metrics.counter('flotilla_events_ingested_total', 'Events accepted and acknowledged by Kafka', [
      'channel',
    ]);
  }

  async accept(command: IngestEventCommand): Promise<EventMessageV1> {
    if (command.target.kind === 'single') await this.assertEndpoint(command.projectId, command.target.endpoint_id);
    const message: EventMessageV1 = {
      v: 1,
      event_id: newId(),
      project_id: command.projectId,
      target: command.target,
      event_type: command.eventType,
      data: command.rawData,
      custom_headers: command.customHeaders ?? {},
      idempotency_key: command.idempotencyKey,
      source_id: command.sourceId,
      broker_message_id: command.brokerMessageId,
      accepted_at: new Date().toISOString(),
    };
    try {
      await this.producer.send(TOPICS.events.name, [{ key: eventMessageKey(message), value: JSON.stringify(message) }]);
    } catch (error) {
      if (error instanceof BrokerUnavailableError) {
        throw new IngestError('broker_unavailable', 'the event log is unavailable; try again', undefined, { cause: error });
      }
      throw error;
    }
    this.accepted.inc({ channel: command.channel });
    return message;
  }

  private async assertEndpoint(projectId: string, endpointId: string): Promise<void> {
    const key = `${projectId}/${endpointId}`;
    const seen = this.knownEndpoints.get(key);
    if (seen !== undefined && Date.now() - seen < ENDPOINT_CACHE_MS) return;
    const endpoint = UUID_PATTERN.test(endpointId) ? await this.endpoints.findById(projectId, endpointId) : null;
    if (!endpoint) {
      throw new IngestError('endpoint_not_found', `endpoint ${endpointId} not found in this project`, 'endpoint_id');
    }
    if (this.knownEndpoints.size > 10_000) this.knownEndpoints.clear();
    this.knownEndpoints.set(key, Date.now());
  }
}
