export interface ProduceGateOptions {
  initialBackoffMs: number;
  maxBackoffMs: number;
}

/** Thrown by `ProduceGate.pass` when the caller's signal aborted while it waited. */
export class GateAbortedError extends Error {
  constructor() {
    super('stopped while waiting for Kafka');
    this.name = 'GateAbortedError';
  }
}

/**
 * Backpressure towards Kafka, shared by every source of an ingester (Kafka is one dependency).
 * While Kafka is healthy everyone passes. After a failed produce everyone waits; when the backoff
 * has passed exactly one caller goes through as a probe, and its success opens the gate for all.
 * Callers hold their broker messages un-acked meanwhile, so pulling stops by itself (SQS workers
 * do not receive again, Pub/Sub flow control fills up) and resumes when Kafka returns.
 */
export class ProduceGate {
  private healthy = true;
  private probing = false;
  private retryAt = 0;
  private backoffMs: number;
  private waiters = new Set<() => void>();

  constructor(
    private readonly options: ProduceGateOptions = { initialBackoffMs: 250, maxBackoffMs: 2000 },
    private readonly onChange: (healthy: boolean) => void = () => undefined,
  ) {
    this.backoffMs = options.initialBackoffMs;
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  /** Resolves when the caller may produce; rejects with GateAbortedError once `signal` aborts. */
  async pass(signal: AbortSignal): Promise<void> {
    for (;;) {
      if (signal.aborted) throw new GateAbortedError();
      if (this.healthy) return;
      const wait = this.retryAt - Date.now();
      if (!this.probing && wait <= 0) {
        this.probing = true;
        return;
      }
      await this.wait(signal, this.probing ? undefined : wait);
    }
  }

  succeeded(): void {
    this.probing = false;
    this.backoffMs = this.options.initialBackoffMs;
    if (!this.healthy) {
      this.healthy = true;
      this.onChange(true);
    }
    this.wakeAll();
  }

  failed(): void {
    this.probing = false;
    const now = Date.now();
    if (now >= this.retryAt) {
      // +-20% jitter: replicas that lost Kafka together do not probe in lockstep.
      this.retryAt = now + Math.round(this.backoffMs * (0.8 + Math.random() * 0.4));
      this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
    }
    if (this.healthy) {
      this.healthy = false;
      this.onChange(false);
    }
    this.wakeAll();
  }

  private wakeAll(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const wake of waiters) wake();
  }

  private wait(signal: AbortSignal, ms: number | undefined): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }
}
