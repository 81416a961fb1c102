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
import { MetricsRegistry, startPublishSpan } from '@flotilla/observability';
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
  /** `sourceId` is an http source (an incoming webhook), not a broker source. */
  fromHttpSource?: true | undefined;
  brokerMessageId?: string | undefined;
  /**
   * A deterministic id (broker ingestion: derived from source and broker message id, so a
   * redelivered message becomes the same event). Default: a new UUIDv7.
   */
  eventId?: string | undefined;
  /** 'http' or the broker name, for the metric. */
  channel: string;
}

/** One command's outcome in a batch: accepted (durable in Kafka) or refused for its own reason. */
export type AcceptResult =
  { ok: true; message: EventMessageV1 } | { ok: false; error: IngestError };

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
    this.accepted = metrics.counter(
      'flotilla_events_ingested_total',
      'Events accepted and acknowledged by Kafka',
      ['channel'],
    );
  }

  async accept(command: IngestEventCommand): Promise<EventMessageV1> {
    const [result] = await this.acceptMany([command]);
    if (!result) throw new Error('acceptMany returned no result');
    if (!result.ok) throw result.error;
    return result.message;
  }

  /**
   * A batch as one Kafka request (a broker receive batch). Commands whose endpoint does not exist
   * are refused one by one; the rest resolve together once Kafka acknowledged them. Throws
   * `IngestError('broker_unavailable')` when Kafka did not take the batch (nothing is accepted),
   * and any other error (the database) as is.
   */
  async acceptMany(commands: readonly IngestEventCommand[]): Promise<AcceptResult[]> {
    const missing = await this.missingEndpoints(commands);
    const acceptedAt = new Date().toISOString();
    const results: AcceptResult[] = commands.map((command) => {
      if (
        command.target.kind === 'single' &&
        missing.has(endpointKey(command.projectId, command.target.endpoint_id))
      ) {
        return {
          ok: false,
          error: new IngestError(
            'endpoint_not_found',
            `endpoint ${command.target.endpoint_id} not found in this project`,
            'endpoint_id',
          ),
        };
      }
      return { ok: true, message: toMessage(command, acceptedAt) };
    });
    const messages = results.flatMap((result) => (result.ok ? [result.message] : []));
    // The request's trace goes on with the events (no headers when tracing is off).
    const publish = startPublishSpan(TOPICS.events.name);
    try {
      await this.producer.send(
        TOPICS.events.name,
        messages.map((message) => ({
          key: eventMessageKey(message),
          value: JSON.stringify(message),
          headers: publish.headers,
        })),
      );
      publish.end();
    } catch (error) {
      publish.end(error);
      if (error instanceof BrokerUnavailableError) {
        throw new IngestError(
          'broker_unavailable',
          'the event log is unavailable; try again',
          undefined,
          { cause: error },
        );
      }
      throw error;
    }
    commands.forEach((command, index) => {
      if (results[index]?.ok) this.accepted.inc({ channel: command.channel });
    });
    return results;
  }

  /** The (project, endpoint) keys of single-target commands whose endpoint does not exist. */
  private async missingEndpoints(commands: readonly IngestEventCommand[]): Promise<Set<string>> {
    const toCheck = new Map<string, { projectId: string; endpointId: string }>();
    for (const command of commands) {
      if (command.target.kind !== 'single') continue;
      const key = endpointKey(command.projectId, command.target.endpoint_id);
      const seen = this.knownEndpoints.get(key);
      if (seen !== undefined && Date.now() - seen < ENDPOINT_CACHE_MS) continue;
      toCheck.set(key, { projectId: command.projectId, endpointId: command.target.endpoint_id });
    }
    const missing = new Set<string>();
    await Promise.all(
      [...toCheck].map(async ([key, { projectId, endpointId }]) => {
        const endpoint = UUID_PATTERN.test(endpointId)
          ? await this.endpoints.findById(projectId, endpointId)
          : null;
        if (!endpoint) {
          missing.add(key);
          return;
        }
        if (this.knownEndpoints.size > 10_000) this.knownEndpoints.clear();
        this.knownEndpoints.set(key, Date.now());
      }),
    );
    return missing;
  }
}

function endpointKey(projectId: string, endpointId: string): string {
  return `${projectId}/${endpointId}`;
}

function toMessage(command: IngestEventCommand, acceptedAt: string): EventMessageV1 {
  return {
    v: 1,
    event_id: command.eventId ?? newId(),
    project_id: command.projectId,
    target: command.target,
    event_type: command.eventType,
    data: command.rawData,
    custom_headers: command.customHeaders ?? {},
    idempotency_key: command.idempotencyKey,
    source_id: command.sourceId,
    from_http_source: command.fromHttpSource,
    broker_message_id: command.brokerMessageId,
    accepted_at: acceptedAt,
  };
}
