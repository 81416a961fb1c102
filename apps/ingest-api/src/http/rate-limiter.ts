import { RequestError } from './request-error';

export interface RateLimitOptions {
  /** Tokens added per second; 0 turns limiting off. */
  perSecond: number;
  /** The bucket's size: how many requests may come at once after a pause. */
  burst: number;
}

/** Buckets kept before idle (full) ones are swept; a full bucket is the same as none. */
const SWEEP_ABOVE = 10_000;

/**
 * Per-key token buckets, in this process only: with N ingest-api replicas behind a load balancer
 * a key gets up to N times the limit (documented). Cheap enough for every request: one map lookup
 * and a little arithmetic.
 */
export class ApiRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly options: RateLimitOptions,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  get enabled(): boolean {
    return this.options.perSecond > 0;
  }

  /** Takes one token for `key`: undefined when the request may go, else the seconds to wait (≥ 1). */
  take(key: string): number | undefined {
    if (!this.enabled) return undefined;
    const { perSecond, burst } = this.options;
    const now = this.clock();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);
      bucket.at = now;
    } else {
      if (this.buckets.size >= SWEEP_ABOVE) this.sweep(now);
      bucket = { tokens: burst, at: now };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
  }

  private sweep(now: number): void {
    const { perSecond, burst } = this.options;
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * perSecond >= burst) this.buckets.delete(key);
    }
  }
}

/** 429 with Retry-After (whole seconds), in Convoy's envelope. */
export class RateLimitedError extends RequestError {
  constructor(
    perSecond: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      429,
      `rate limit exceeded: this API key may make ${String(perSecond)} requests per second; retry after ${String(retryAfterSeconds)} s`,
      'Authorization',
    );
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/**
 * Failed API-key authentications per client address, in fixed one-minute windows (this replica
 * only). Past the limit, the address's requests are answered 429 unless their key is one this
 * replica already authenticated: guessing keys cannot make every request cost a database query,
 * and clients behind the same address with working keys go on.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { failures: number; startedAt: number }>();

  constructor(
    /** Failures per address and minute; 0 turns the limit off. */
    readonly perMinute: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Seconds until `address` may try unknown keys again, or undefined when it may now. */
  blockedFor(address: string): number | undefined {
    if (this.perMinute <= 0) return undefined;
    const window = this.windows.get(address);
    const now = this.clock();
    if (!window || now - window.startedAt >= 60_000) return undefined;
    if (window.failures < this.perMinute) return undefined;
    return Math.max(1, Math.ceil((window.startedAt + 60_000 - now) / 1000));
  }

  fail(address: string): void {
    if (this.perMinute <= 0) return;
    const now = this.clock();
    const window = this.windows.get(address);
    if (window && now - window.startedAt < 60_000) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= SWEEP_ABOVE) {
      for (const [key, old] of this.windows)
        if (now - old.startedAt >= 60_000) this.windows.delete(key);
    }
    this.windows.set(address, { failures: 1, startedAt: now });
  }
}

/** 429 for a client address that failed authentication too often. */
export class AuthFailuresLimitedError extends RequestError {
  constructor(perMinute: number, retryAfterSeconds: number) {
    super(
      429,
      `too many failed authentications from this address (more than ${String(perMinute)} a minute); retry after ${String(retryAfterSeconds)} s`,
      'Authorization',
    );
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}
