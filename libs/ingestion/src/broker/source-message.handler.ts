import {
  brokerEventId,
  newId,
  type BrokerKind,
  type IngestFailureReason,
} from '@flotilla/contracts';
import type { NewIngestFailure } from '@flotilla/db';
import type { Logger } from '@flotilla/observability';
import { IngestError, type IngestErrorCode } from '../ingest-errors';
import type { AcceptResult, IngestEventCommand } from '../ingest-event.service';
import type { BrokerBatchHandler, BrokerMessage, MessageDecision } from './broker-source.adapter';
import type { SourceMetrics } from './ingester-metrics';
import { parseBrokerMessage } from './parse-broker-message';
import { GateAbortedError, type ProduceGate } from './produce-gate';

/** Takes events to Kafka (IngestEventService). */
export interface EventAcceptor {
  acceptMany(commands: readonly IngestEventCommand[]): Promise<AcceptResult[]>;
}

/** Keeps invalid messages where users can list them (IngestFailureRepository). */
export interface FailureRecorder {
  recordMany(failures: readonly NewIngestFailure[]): Promise<number>;
}

export interface SourceHandlerDeps {
  acceptor: EventAcceptor;
  failures: FailureRecorder;
  gate: ProduceGate;
  metrics: SourceMetrics;
  logger: Logger;
  maxMessageBytes: number;
  /** Backoff between retries after database errors (Kafka errors wait on the gate). */
  retryDelayMs?: { initial: number; max: number };
}

/** How much of an invalid message's body is kept for the user to see. */
export const FAILURE_PAYLOAD_BYTES = 8 * 1024;
const MAX_ATTRIBUTES = 64;

interface Pending {
  index: number;
  command: IngestEventCommand;
}

interface Refusal {
  index: number;
  reason: IngestFailureReason;
  detail: string;
}

/**
 * The handler every broker adapter calls for a batch of one source's messages: parse each
 * message, accept the valid ones as one Kafka request, record the invalid ones with their reason,
 * and say per message what to do with it. Nothing is acked that Kafka has not acknowledged: while
 * Kafka (or the database) is unavailable the batch is held and retried, and given back
 * (`release`) only when the source is stopping.
 */
export function createSourceHandler(
  source: { id: string; projectId: string; broker: BrokerKind },
  deps: SourceHandlerDeps,
): BrokerBatchHandler {
  const delays = deps.retryDelayMs ?? { initial: 250, max: 5000 };
  const log = deps.logger.child({ source: source.id, broker: source.broker });

  return async (messages, signal) => {
    deps.metrics.received(messages.length);
    deps.metrics.inFlight(messages.length);
    try {
      const decisions = new Array<MessageDecision | undefined>(messages.length);
      const refusals: Refusal[] = [];
      let pending: Pending[] = [];
      messages.forEach((message, index) => {
        const parsed = parseBrokerMessage(message.body, message.attributes, deps.maxMessageBytes);
        if (!parsed.ok) {
          refusals.push({ index, reason: parsed.reason, detail: parsed.detail });
          return;
        }
        pending.push({
          index,
          command: {
            projectId: source.projectId,
            ...parsed.event,
            sourceId: source.id,
            brokerMessageId: message.id,
            eventId: brokerEventId(source.id, message.id, message.publishedAt),
            channel: source.broker,
          },
        });
      });

      let delay = delays.initial;
      while (pending.length > 0 && !signal.aborted) {
        try {
          await deps.gate.pass(signal);
        } catch (error) {
          if (error instanceof GateAbortedError) break;
          throw error;
        }
        try {
          const results = await deps.acceptor.acceptMany(pending.map((entry) => entry.command));
          deps.gate.succeeded();
          let ingested = 0;
          results.forEach((result, k) => {
            const index = pending[k]!.index;
            if (result.ok) {
              decisions[index] = { kind: 'ack' };
              ingested += 1;
            } else {
              refusals.push({
                index,
                reason: refusalReason(result.error.code),
                detail: result.error.message,
              });
            }
          });
          deps.metrics.ingested(ingested);
          pending = [];
        } catch (error) {
          if (error instanceof IngestError && error.code === 'broker_unavailable') {
            deps.gate.failed();
            log.warn(
              { err: error.cause ?? error, held: pending.length },
              'Kafka unavailable: holding messages un-acked',
            );
            continue;
          }
          log.warn(
            { err: error, held: pending.length, retryInMs: delay },
            'could not accept broker messages: retrying',
          );
          await sleep(delay, signal);
          delay = Math.min(delay * 2, delays.max);
        }
      }

      if (refusals.length > 0) {
        const rows = refusals.map((refusal) =>
          toFailureRow(source, messages[refusal.index]!, refusal),
        );
        delay = delays.initial;
        let recorded = false;
        while (!recorded && !signal.aborted) {
          try {
            await deps.failures.recordMany(rows);
            recorded = true;
          } catch (error) {
            log.warn(
              { err: error, retryInMs: delay },
              'could not record invalid broker messages: retrying',
            );
            await sleep(delay, signal);
            delay = Math.min(delay * 2, delays.max);
          }
        }
        if (recorded) {
          for (const refusal of refusals) {
            decisions[refusal.index] = {
              kind: 'reject',
              reason: refusal.reason,
              detail: refusal.detail,
            };
            deps.metrics.invalid(refusal.reason);
          }
          log.info(
            {
              invalid: refusals.map((refusal) => ({
                id: messages[refusal.index]!.id,
                reason: refusal.reason,
              })),
            },
            'invalid broker messages recorded',
          );
        }
      }
      return Array.from(decisions, (decision): MessageDecision => decision ?? { kind: 'release' });
    } finally {
      deps.metrics.inFlight(-messages.length);
    }
  };
}

function refusalReason(code: IngestErrorCode): IngestFailureReason {
  switch (code) {
    case 'endpoint_not_found':
      return 'endpoint_not_found';
    case 'invalid_data':
      return 'invalid_message';
    case 'broker_unavailable':
      // acceptMany throws this for the whole batch; it is never one message's refusal.
      throw new Error('broker_unavailable is not a per-message refusal');
  }
}

function toFailureRow(
  source: { id: string; projectId: string },
  message: BrokerMessage,
  refusal: Refusal,
): NewIngestFailure {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(message.attributes).slice(0, MAX_ATTRIBUTES)) {
    attributes[key] = value.slice(0, 1024);
  }
  return {
    id: newId(),
    projectId: source.projectId,
    sourceId: source.id,
    brokerMessageId: message.id,
    reason: refusal.reason,
    detail: refusal.detail.slice(0, 2000),
    // Postgres text cannot hold NUL characters.
    payload: message.body
      .subarray(0, FAILURE_PAYLOAD_BYTES)
      .toString('utf8')
      .replace(/\0/g, '\uFFFD'),
    payloadBytes: message.body.length,
    attributes,
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
