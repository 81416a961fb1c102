import { brokerEventId } from '@flotilla/contracts';
import type { NewIngestFailure } from '@flotilla/db';
import pino from 'pino';
import { IngestError } from '../ingest-errors';
import type { AcceptResult, IngestEventCommand } from '../ingest-event.service';
import type { BrokerMessage } from './broker-source.adapter';
import type { SourceMetrics } from './ingester-metrics';
import { ProduceGate } from './produce-gate';
import {
  createSourceHandler,
  type EventAcceptor,
  type FailureRecorder,
} from './source-message.handler';

const SOURCE = {
  id: '0190a4d2-0000-7000-8000-00000000000a',
  projectId: '0190a4d2-0000-7000-8000-00000000000b',
  broker: 'sqs' as const,
};
const ENDPOINT = '0190a4d2-0000-7000-8000-00000000000c';

function message(
  id: string,
  body: unknown,
  attributes: Record<string, string> = {},
): BrokerMessage {
  return {
    id,
    body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    attributes,
    publishedAt: 1_795_000_000_000,
  };
}

/** Kafka as the handler sees it: answers from a script, remembering what it was asked. */
class ScriptedAcceptor implements EventAcceptor {
  readonly calls: IngestEventCommand[][] = [];
  constructor(private readonly script: ('ok' | 'down' | 'db-error')[] = []) {}
  acceptMany(commands: readonly IngestEventCommand[]): Promise<AcceptResult[]> {
    this.calls.push([...commands]);
    const step = this.script.shift() ?? 'ok';
    if (step === 'down') return Promise.reject(new IngestError('broker_unavailable', 'down'));
    if (step === 'db-error') return Promise.reject(new Error('connection refused'));
    return Promise.resolve(
      commands.map((command): AcceptResult =>
        command.target.kind === 'single' && command.target.endpoint_id !== ENDPOINT
          ? {
              ok: false,
              error: new IngestError(
                'endpoint_not_found',
                `endpoint ${command.target.endpoint_id} not found`,
              ),
            }
          : { ok: true, message: { event_id: command.eventId } as never },
      ),
    );
  }
}

class MemoryRecorder implements FailureRecorder {
  readonly rows: NewIngestFailure[] = [];
  failNext = 0;
  recordMany(failures: readonly NewIngestFailure[]): Promise<number> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      return Promise.reject(new Error('database down'));
    }
    this.rows.push(...failures);
    return Promise.resolve(failures.length);
  }
}

function metrics(): SourceMetrics & { counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const add = (name: string, n = 1): void => {
    counts[name] = (counts[name] ?? 0) + n;
  };
  return {
    counts,
    received: (n) => {
      add('received', n);
    },
    ingested: (n) => {
      add('ingested', n);
    },
    invalid: (reason) => {
      add(`invalid:${reason}`);
    },
    acked: (n) => {
      add('acked', n);
    },
    deadLettered: (n) => {
      add('deadLettered', n);
    },
    inFlight: (n) => {
      add('inFlight', n);
    },
    failed: () => {
      add('failed');
    },
  };
}

function setup(acceptor: ScriptedAcceptor, recorder = new MemoryRecorder()) {
  const m = metrics();
  const handler = createSourceHandler(SOURCE, {
    acceptor,
    failures: recorder,
    gate: new ProduceGate({ initialBackoffMs: 5, maxBackoffMs: 20 }),
    metrics: m,
    logger: pino({ level: 'silent' }),
    maxMessageBytes: 2048,
    retryDelayMs: { initial: 5, max: 20 },
  });
  return { handler, metrics: m, recorder };
}

const valid = (n: number) =>
  message(`m${n}`, { endpoint_id: ENDPOINT, event_type: 'order.paid', data: { n } });

describe('the shared broker message handler', () => {
  const signal = new AbortController().signal;

  it('acks what Kafka acknowledged and rejects each invalid message with its reason, in order', async () => {
    const acceptor = new ScriptedAcceptor();
    const { handler, metrics: m, recorder } = setup(acceptor);
    const batch = [
      valid(1),
      message('bad-json', '{"event_type":'),
      message('too-big', 'x'.repeat(3000)),
      message('no-type', { endpoint_id: ENDPOINT, data: {} }),
      message('unknown-endpoint', {
        endpoint_id: '0190a4d2-0000-7000-8000-0000000000ff',
        event_type: 'e',
        data: {},
      }),
      message('weird-type', { event_type: 'e', data: {} }, { 'x-convoy-message-type': 'nope' }),
      message(
        'fan',
        { owner_id: 'o', event_type: 'e', data: {} },
        { 'x-convoy-message-type': 'fanout' },
      ),
    ];
    const decisions = await handler(batch, signal);
    expect(
      decisions.map((decision) => (decision.kind === 'reject' ? decision.reason : decision.kind)),
    ).toEqual([
      'ack',
      'malformed_json',
      'too_large',
      'invalid_message',
      'endpoint_not_found',
      'unknown_message_type',
      'ack',
    ]);
    expect(acceptor.calls).toHaveLength(1); // one Kafka request for the batch
    const first = acceptor.calls[0]![0]!;
    expect(first).toMatchObject({
      sourceId: SOURCE.id,
      brokerMessageId: 'm1',
      channel: 'sqs',
      rawData: '{"n":1}',
    });
    expect(first.eventId).toBe(brokerEventId(SOURCE.id, 'm1', 1_795_000_000_000));
    expect(recorder.rows.map((row) => [row.brokerMessageId, row.reason])).toEqual([
      ['bad-json', 'malformed_json'],
      ['too-big', 'too_large'],
      ['no-type', 'invalid_message'],
      ['weird-type', 'unknown_message_type'],
      ['unknown-endpoint', 'endpoint_not_found'],
    ]);
    expect(recorder.rows.find((row) => row.reason === 'too_large')).toMatchObject({
      payloadBytes: 3000,
    });
    expect(m.counts).toMatchObject({
      received: 7,
      ingested: 2,
      inFlight: 0,
      'invalid:malformed_json': 1,
    });
  });

  it('holds the batch un-acked while Kafka is down and acks once it is back', async () => {
    const acceptor = new ScriptedAcceptor(['down', 'down', 'down', 'ok']);
    const { handler } = setup(acceptor);
    const decisions = await handler([valid(1), valid(2)], signal);
    expect(decisions).toEqual([{ kind: 'ack' }, { kind: 'ack' }]);
    expect(acceptor.calls).toHaveLength(4);
    // Redelivered copies are the same events (same ids) every time.
    expect(new Set(acceptor.calls.map((call) => call[0]!.eventId)).size).toBe(1);
  });

  it('retries database errors too, and never acks or rejects what was not handled', async () => {
    const acceptor = new ScriptedAcceptor(['db-error', 'ok']);
    const recorder = new MemoryRecorder();
    recorder.failNext = 2;
    const { handler } = setup(acceptor, recorder);
    const decisions = await handler([valid(1), message('bad', 'nope')], signal);
    expect(decisions.map((decision) => decision.kind)).toEqual(['ack', 'reject']);
    expect(recorder.rows).toHaveLength(1);
  });

  it('releases what it holds when the source stops while Kafka is away', async () => {
    const acceptor = new ScriptedAcceptor(Array.from({ length: 1000 }, () => 'down' as const));
    const { handler, metrics: m } = setup(acceptor);
    const controller = new AbortController();
    const result = handler([valid(1), valid(2)], controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    expect(await result).toEqual([{ kind: 'release' }, { kind: 'release' }]);
    expect(m.counts['ingested'] ?? 0).toBe(0);
    expect(m.counts['inFlight']).toBe(0);
  });

  it('keeps a bounded, NUL-free copy of an invalid payload', async () => {
    const recorder = new MemoryRecorder();
    const { handler } = setup(new ScriptedAcceptor(), recorder);
    await handler([message('nul', `{"a":"\u0000"`)], signal);
    expect(recorder.rows[0]!.payload).not.toContain('\u0000');
  });
});
