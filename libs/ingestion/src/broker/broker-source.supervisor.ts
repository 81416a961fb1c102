import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { BrokerKind } from '@flotilla/contracts';
import { IngestFailureRepository, type Source } from '@flotilla/db';
import { LOGGER, MetricsRegistry, type Logger } from '@flotilla/observability';
import { BrokerSourcesWatcher } from '../broker-sources.watcher';
import { CredentialsCipher } from '@flotilla/signing';
import { IngestEventService } from '../ingest-event.service';
import {
  startOnAdapter,
  type AnyBrokerSourceAdapter,
  type ResolvedBrokerSource,
  type RunningSource,
} from './broker-source.adapter';
import { IngesterMetrics } from './ingester-metrics';
import { ProduceGate } from './produce-gate';
import { resolveBrokerSource } from './resolve-broker-source';
import {
  createSourceHandler,
  type EventAcceptor,
  type FailureRecorder,
} from './source-message.handler';

export const BROKER_SOURCE_ADAPTER = Symbol('BROKER_SOURCE_ADAPTER');
export const BROKER_INGESTION_OPTIONS = Symbol('BROKER_INGESTION_OPTIONS');

export interface BrokerIngestionOptions {
  broker: BrokerKind;
  /** Broker messages larger than this are refused as too_large. */
  maxMessageBytes: number;
}

interface Entry {
  fingerprint: string;
  running: RunningSource;
}

/**
 * Runs this replica's share of every active source of one broker: starts a source when it
 * appears, restarts it when its row changes (settings, credentials, workers), stops it when it is
 * paused or deleted, and restarts one that failed at the next refresh. Every source goes through
 * the same handler; the adapter is the only broker-specific part. Replicas need no coordination:
 * each runs every source and the broker shares the messages out (SQS competing consumers, one
 * Pub/Sub subscription read by several subscribers).
 */
@Injectable()
export class BrokerSourceSupervisor implements BeforeApplicationShutdown {
  private readonly entries = new Map<string, Entry>();
  /** Sources whose start failed, by fingerprint: logged once, retried every refresh. */
  private readonly failedStarts = new Map<string, string>();
  private readonly metrics: IngesterMetrics;
  private readonly gate: ProduceGate;
  private chain: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(
    watcher: BrokerSourcesWatcher,
    @Inject(BROKER_SOURCE_ADAPTER) private readonly adapter: AnyBrokerSourceAdapter,
    private readonly cipher: CredentialsCipher,
    @Inject(IngestEventService) private readonly acceptor: EventAcceptor,
    @Inject(IngestFailureRepository) private readonly failures: FailureRecorder,
    @Inject(BROKER_INGESTION_OPTIONS) private readonly options: BrokerIngestionOptions,
    metricsRegistry: MetricsRegistry,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.metrics = new IngesterMetrics(metricsRegistry, options.broker);
    this.gate = new ProduceGate(undefined, (healthy) => {
      this.metrics.kafkaPaused(!healthy);
      if (healthy) this.logger.info('Kafka is back: acking and pulling again');
    });
    // Registered before the watcher's first refresh (which awaits the database first).
    watcher.onChange((sources) => this.reconcile(sources));
  }

  /** Sources running now, by id (for tests and logs). */
  get runningIds(): string[] {
    return [...this.entries.keys()];
  }

  /** Brings the running sources in line with the active rows; calls are serialized. */
  reconcile(sources: readonly Source[]): Promise<void> {
    return this.serialize(async () => {
      if (this.stopping) return;
      const wanted = new Map(sources.map((source) => [source.id, source]));
      const toStop = [...this.entries].filter(([id, entry]) => {
        const source = wanted.get(id);
        return !source || fingerprint(source) !== entry.fingerprint;
      });
      await Promise.all(
        toStop.map(async ([id, entry]) => {
          this.entries.delete(id);
          this.logger.info(
            { source: id, changed: wanted.has(id) },
            wanted.has(id) ? 'source changed: restarting' : 'source removed: stopping',
          );
          await this.stopEntry(id, entry);
        }),
      );
      for (const id of this.failedStarts.keys()) if (!wanted.has(id)) this.failedStarts.delete(id);
      await Promise.all(
        sources
          .filter((source) => !this.entries.has(source.id))
          .map((source) => this.start(source)),
      );
      this.metrics.running(this.entries.size);
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.serialize(async () => {
      this.stopping = true;
      const all = [...this.entries];
      this.entries.clear();
      await Promise.all(all.map(([id, entry]) => this.stopEntry(id, entry)));
      this.metrics.running(0);
    });
  }

  private async start(source: Source): Promise<void> {
    const print = fingerprint(source);
    let resolved: ResolvedBrokerSource;
    try {
      resolved = resolveBrokerSource(source, this.cipher, this.options.broker);
    } catch (error) {
      this.startFailed(source.id, print, error);
      return;
    }
    const sourceMetrics = this.metrics.forSource(source.id);
    const handler = createSourceHandler(
      { id: source.id, projectId: source.projectId, broker: this.options.broker },
      {
        acceptor: this.acceptor,
        failures: this.failures,
        gate: this.gate,
        metrics: sourceMetrics,
        logger: this.logger,
        maxMessageBytes: this.options.maxMessageBytes,
      },
    );
    try {
      const running = await startOnAdapter(this.adapter, resolved, handler, {
        acked: (count, seconds) => {
          sourceMetrics.acked(count, seconds);
        },
        deadLettered: (count) => {
          sourceMetrics.deadLettered(count);
        },
        failed: (error) => {
          sourceMetrics.failed();
          this.logger.error(
            { err: error, source: source.id },
            'source stopped on an error: restarting at the next refresh',
          );
          void this.serialize(async () => {
            const entry = this.entries.get(source.id);
            if (entry?.running !== running) return;
            this.entries.delete(source.id);
            this.metrics.running(this.entries.size);
            await this.stopEntry(source.id, entry);
          });
        },
      });
      this.entries.set(source.id, { fingerprint: print, running });
      this.failedStarts.delete(source.id);
      this.logger.info({ source: source.id, workers: resolved.workers }, 'source started');
    } catch (error) {
      sourceMetrics.failed();
      this.startFailed(source.id, print, error);
    }
  }

  private startFailed(id: string, print: string, error: unknown): void {
    // Once per source version at error level; the retries every refresh stay quiet.
    const level = this.failedStarts.get(id) === print ? 'debug' : 'error';
    this.failedStarts.set(id, print);
    this.logger[level](
      { err: error, source: id },
      'source could not start: retrying at the next refresh',
    );
  }

  private async stopEntry(id: string, entry: Entry): Promise<void> {
    try {
      await entry.running.stop();
    } catch (error) {
      this.logger.warn({ err: error, source: id }, 'source did not stop cleanly');
    }
  }

  private serialize(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task, task);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** What makes a running source stale: any change to its settings, credentials or project. */
function fingerprint(source: Source): string {
  return createHash('sha256')
    .update(source.projectId)
    .update('\0')
    .update(JSON.stringify(source.pubSub))
    .update('\0')
    .update(source.credentials ?? new Uint8Array())
    .digest('hex');
}
