import type { OnApplicationShutdown } from '@nestjs/common';
import { newId, type MetaEventType, type ProjectConfig } from '@flotilla/contracts';
import type { MetaEventOutcome, NewMetaEvent } from '@flotilla/db';
import type { Logger } from '@flotilla/observability';
import type { HttpSender } from '../http/http-sender';
import {
  metaEventBody,
  metaEventRequest,
  sendMetaEvent,
  wantsMetaEvent,
  metaEventFailure,
} from './meta-event.sender';

/** Where sent meta events are recorded (the meta event log); tests may leave it out. */
export interface MetaEventLog {
  insert(event: NewMetaEvent): Promise<void>;
}

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
  /** Records each meta event once sent, with its outcome. */
  log?: MetaEventLog;
}

interface Job {
  projectId: string;
  config: ProjectConfig;
  type: MetaEventType;
  data: Record<string, unknown>;
}

/**
 * Fire-and-forget meta events: `publish` never waits and never throws, so an API request or a
 * delivery batch is never slowed or failed by a project's meta URL. The queue is bounded (a dead
 * meta receiver costs at most `maxPending` jobs of memory), sends a few at a time, and logs what it
 * drops. Each one sent is recorded with its outcome in the meta event log, where it can be resent.
 * Meta events are best effort: a crash loses the queued ones, and dropped ones are only counted.
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
  private readonly log: MetaEventLog | undefined;

  constructor(
    private readonly sender: HttpSender,
    private readonly logger: Logger,
    options: MetaEventQueueOptions = {},
  ) {
    this.maxPending = options.maxPending ?? 1000;
    this.concurrency = options.concurrency ?? 4;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 2000;
    this.onDrop = options.onDrop;
    this.log = options.log;
  }

  publish(
    projectId: string,
    config: ProjectConfig,
    type: MetaEventType,
    data: Record<string, unknown>,
  ): void {
    if (!wantsMetaEvent(config, type)) return;
    if (this.pending.length >= this.maxPending) {
      this.dropped += 1;
      this.onDrop?.();
      // One line per 100 drops: a dead meta receiver must not flood the logs either.
      if (this.dropped % 100 === 1)
        this.logger.warn({ type, dropped: this.dropped }, 'meta event queue full; dropped');
      return;
    }
    this.pending.push({ projectId, config, type, data });
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
      void this.send(job).finally(() => {
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

  /**
   * Sends a recorded meta event again now, to the project's current meta URL and signed with its
   * current secret (the body is the one first sent); the caller records the outcome.
   */
  async resend(
    config: ProjectConfig,
    type: MetaEventType,
    id: string,
    body: string,
  ): Promise<MetaEventOutcome> {
    const url = config.meta_event.url;
    if (!config.meta_event.is_enabled || !url)
      return metaEventFailure(
        {},
        'meta events are turned off for this project (config.meta_event)',
      );
    return sendMetaEvent(this.sender, this.logger, url, metaEventRequest(config, type, id, body));
  }

  private async send(job: Job): Promise<void> {
    const url = job.config.meta_event.url;
    if (!url) return;
    const id = newId();
    const request = metaEventRequest(
      job.config,
      job.type,
      id,
      metaEventBody(id, job.type, job.data),
    );
    const outcome = await sendMetaEvent(this.sender, this.logger, url, request);
    try {
      await this.log?.insert({
        id,
        projectId: job.projectId,
        eventType: job.type,
        payload: request.body,
        ...outcome,
      });
    } catch (error) {
      this.logger.warn({ type: job.type, err: error }, 'meta event sent but not recorded');
    }
  }
}
