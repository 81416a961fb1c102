import type { OnApplicationShutdown } from '@nestjs/common';
import type { MetaEventType, ProjectConfig } from '@flotilla/contracts';
import type { Logger } from '@flotilla/observability';
import type { HttpSender } from '../http/http-sender';
import { sendMetaEvent, wantsMetaEvent } from './meta-event.sender';

export const META_EVENTS = Symbol('META_EVENTS');

export interface MetaEventQueueOptions {
  /** Meta events waiting to be sent; past this, new ones are dropped (and logged). */
  maxPending?: number;
  /** Meta requests open at once. */
  concurrency?: number;
  /** How long shutdown waits for queued meta events. */
  drainTimeoutMs?: number;
  /** Called for each dropped meta event (the drops counter). */
  onDrop?: () => void;
}

interface Job {
  config: ProjectConfig;
  type: MetaEventType;
  data: Record<string, unknown>;
}

/**
 * Fire-and-forget meta events: `publish` never waits and never throws, so an API request or a
 * delivery batch is never slowed or failed by a project's meta URL. The queue is bounded (a dead
 * meta receiver costs at most `maxPending` jobs of memory), sends a few at a time, and logs what it
 * drops or fails to send. Meta events are best effort: a crash loses the queued ones.
 */
export class MetaEventQueue implements OnApplicationShutdown {
  private readonly pending: Job[] = [];
  private active = 0;
  private dropped = 0;
  private idle: (() => void)[] = [];
  private readonly maxPending: number;
  private readonly concurrency: number;
  private readonly drainTimeoutMs: number;
  private readonly onDrop: (() => void) | undefined;

  constructor(
    private readonly sender: HttpSender,
    private readonly logger: Logger,
    options: MetaEventQueueOptions = {},
  ) {
    this.maxPending = options.maxPending ?? 1000;
    this.concurrency = options.concurrency ?? 4;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 2000;
    this.onDrop = options.onDrop;
  }

  publish(config: ProjectConfig, type: MetaEventType, data: Record<string, unknown>): void {
    if (!wantsMetaEvent(config, type)) return;
    if (this.pending.length >= this.maxPending) {
      this.dropped += 1;
      this.onDrop?.();
      // One line per 100 drops: a dead meta receiver must not flood the logs either.
      if (this.dropped % 100 === 1)
        this.logger.warn({ type, dropped: this.dropped }, 'meta event queue full; dropped');
      return;
    }
    this.pending.push({ config, type, data });
    this.pump();
  }

  /** Resolves once nothing is queued or in flight, or after `timeoutMs`. */
  async drain(timeoutMs = this.drainTimeoutMs): Promise<void> {
    if (this.active === 0 && this.pending.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
    ]);
    clearTimeout(timer);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.drain();
  }

  private pump(): void {
    while (this.active < this.concurrency) {
      const job = this.pending.shift();
      if (!job) break;
      this.active += 1;
      void sendMetaEvent(this.sender, this.logger, job.config, job.type, job.data).finally(() => {
        this.active -= 1;
        this.pump();
        if (this.active === 0 && this.pending.length === 0) {
          const waiting = this.idle;
          this.idle = [];
          for (const resolve of waiting) resolve();
        }
      });
    }
  }
}
