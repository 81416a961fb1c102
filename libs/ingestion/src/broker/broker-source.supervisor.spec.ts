import { randomBytes } from 'node:crypto';
import type { Source } from '@flotilla/db';
import { MetricsRegistry } from '@flotilla/observability';
import pino from 'pino';
import type { BrokerSourcesWatcher } from '../broker-sources.watcher';
import { CredentialsCipher } from '@flotilla/signing';
import type {
  BrokerBatchHandler,
  BrokerSourceAdapter,
  ResolvedSourceOf,
  RunningSource,
  SourceRunHooks,
} from './broker-source.adapter';
import { BrokerSourceSupervisor } from './broker-source.supervisor';
import { sourceCredentialsAad } from './resolve-broker-source';
import type { EventAcceptor, FailureRecorder } from './source-message.handler';

const cipher = new CredentialsCipher(randomBytes(32).toString('base64'));

// A row's stored credentials only change when they are updated (encryption uses a random IV).
const encrypted = new Map<string, Buffer>();
function credentials(id: string, secret: string): Buffer {
  const key = `${id}/${secret}`;
  if (!encrypted.has(key)) {
    const plaintext = JSON.stringify({
      type: 'sqs',
      access_key_id: 'AKIAKEY1',
      secret_key: secret,
    });
    encrypted.set(key, cipher.encrypt(plaintext, sourceCredentialsAad(id)));
  }
  return encrypted.get(key)!;
}

function sqsSource(id: string, queue: string, workers = 1, secret = 'secret'): Source {
  return {
    id,
    projectId: '0190a4d2-0000-7000-8000-0000000000aa',
    name: id,
    type: 'pub_sub',
    maskId: id,
    provider: null,
    verifier: null,
    idempotencyKeys: [],
    pubSub: {
      type: 'sqs',
      workers,
      sqs: { queue_name: queue, default_region: 'us-east-1', access_key_id_hint: 'KEY1' },
    },
    credentials: credentials(id, secret),
    status: 'active',
    createdAt: new Date(),
    updatedAt: new Date(),
    deletedAt: null,
  } as Source;
}

/** A broker that only records what was started and stopped. */
class RecordingAdapter implements BrokerSourceAdapter<'sqs'> {
  readonly broker = 'sqs' as const;
  readonly log: string[] = [];
  readonly hooks = new Map<string, SourceRunHooks>();
  readonly handlers = new Map<string, BrokerBatchHandler>();
  refuse = new Set<string>();

  start(
    source: ResolvedSourceOf<'sqs'>,
    handler: BrokerBatchHandler,
    hooks: SourceRunHooks,
  ): Promise<RunningSource> {
    if (this.refuse.has(source.sqs.queueName))
      return Promise.reject(new Error(`no queue ${source.sqs.queueName}`));
    this.log.push(
      `start ${source.id} ${source.sqs.queueName} x${source.workers} ${source.sqs.secretKey}`,
    );
    this.hooks.set(source.id, hooks);
    this.handlers.set(source.id, handler);
    return Promise.resolve({
      stop: () => {
        this.log.push(`stop ${source.id}`);
        return Promise.resolve();
      },
    });
  }
}

function setup() {
  const adapter = new RecordingAdapter();
  const listeners: ((sources: readonly Source[]) => Promise<void>)[] = [];
  const watcher = {
    onChange: (listener: (sources: readonly Source[]) => Promise<void>) => listeners.push(listener),
  };
  const acceptor: EventAcceptor = {
    acceptMany: (commands) =>
      Promise.resolve(commands.map(() => ({ ok: true as const, message: {} as never }))),
  };
  const failures: FailureRecorder = { recordMany: (rows) => Promise.resolve(rows.length) };
  const metrics = new MetricsRegistry();
  const supervisor = new BrokerSourceSupervisor(
    watcher as unknown as BrokerSourcesWatcher,
    adapter,
    cipher,
    acceptor,
    failures,
    { broker: 'sqs', maxMessageBytes: 1024 },
    metrics,
    pino({ level: 'silent' }),
  );
  const refresh = async (sources: Source[]): Promise<void> => {
    for (const listener of listeners) await listener(sources);
  };
  return { adapter, supervisor, refresh, metrics };
}

describe('BrokerSourceSupervisor', () => {
  it('starts new sources, restarts changed ones, stops removed ones and leaves the rest alone', async () => {
    const { adapter, supervisor, refresh } = setup();
    await refresh([sqsSource('a', 'qa'), sqsSource('b', 'qb')]);
    expect(adapter.log.sort()).toEqual(['start a qa x1 secret', 'start b qb x1 secret']);
    adapter.log.length = 0;

    await refresh([sqsSource('a', 'qa'), sqsSource('b', 'qb', 4)]);
    expect(adapter.log).toEqual(['stop b', 'start b qb x4 secret']);
    adapter.log.length = 0;

    await refresh([sqsSource('a', 'qa', 1, 'rotated'), sqsSource('b', 'qb', 4)]);
    expect(adapter.log).toEqual(['stop a', 'start a qa x1 rotated']);
    adapter.log.length = 0;

    await refresh([sqsSource('a', 'qa', 1, 'rotated')]);
    expect(adapter.log).toEqual(['stop b']);
    expect(supervisor.runningIds).toEqual(['a']);

    await supervisor.beforeApplicationShutdown();
    expect(adapter.log).toEqual(['stop b', 'stop a']);
    await refresh([sqsSource('c', 'qc')]);
    expect(supervisor.runningIds).toEqual([]);
  });

  it('retries a source that could not start at every refresh, and skips unreadable credentials', async () => {
    const { adapter, supervisor, refresh, metrics } = setup();
    adapter.refuse.add('missing');
    const unreadable = sqsSource('x', 'qx');
    unreadable.credentials = new Uint8Array(
      new CredentialsCipher(randomBytes(32).toString('base64')).encrypt('{}', 'source:x'),
    );
    await refresh([sqsSource('m', 'missing'), unreadable, sqsSource('ok', 'qok')]);
    expect(supervisor.runningIds).toEqual(['ok']);
    adapter.refuse.clear();
    await refresh([sqsSource('m', 'missing'), unreadable, sqsSource('ok', 'qok')]);
    expect(supervisor.runningIds.sort()).toEqual(['m', 'ok']);
    expect(
      await metrics.registry.getSingleMetricAsString('flotilla_ingester_source_errors_total'),
    ).toContain('source="m"} 1');
  });

  it('restarts a source that failed while running at the next refresh', async () => {
    const { adapter, supervisor, refresh } = setup();
    await refresh([sqsSource('a', 'qa')]);
    adapter.hooks.get('a')!.failed(new Error('queue deleted'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(supervisor.runningIds).toEqual([]);
    await refresh([sqsSource('a', 'qa')]);
    expect(supervisor.runningIds).toEqual(['a']);
    expect(adapter.log.filter((line) => line.startsWith('start'))).toHaveLength(2);
  });

  it('hands every source the shared handler', async () => {
    const { adapter, refresh } = setup();
    await refresh([sqsSource('a', 'qa')]);
    const decisions = await adapter.handlers.get('a')!(
      [
        {
          id: '1',
          body: Buffer.from('{"event_type":"e","data":{}}'),
          attributes: { 'x-convoy-message-type': 'broadcast' },
          publishedAt: 1,
        },
      ],
      new AbortController().signal,
    );
    expect(decisions).toEqual([{ kind: 'ack' }]);
  });
});
