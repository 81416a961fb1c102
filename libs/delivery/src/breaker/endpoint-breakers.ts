import CircuitBreaker from 'opossum';
import type { BreakerState } from '@flotilla/observability';
import type { SendResult } from '../http/http-sender';

export interface BreakerSettings {
  /** Trips when failures exceed this share of requests in the window (Convoy: 70). */
  errorThresholdPercent: number;
  windowMs: number;
  /** No verdict before this many requests in the window (Convoy: 10). */
  minRequests: number;
  /** Open this long before one trial request is let through (half-open; Convoy: 30 s). */
  resetMs: number;
}

class DeliveryFailed extends Error {
  constructor(readonly result: SendResult) {
    super('delivery failed');
  }
}

type Breaker = CircuitBreaker<[() => Promise<SendResult>], SendResult>;

export function isFailure(result: SendResult): boolean {
  return result.kind === 'error' || result.status < 200 || result.status >= 300;
}

/**
 * One opossum breaker per endpoint. While a breaker is open its endpoint's deliveries are deferred
 * (not failed, not attempts) instead of piling up on a dead receiver; `consecutiveTrips` counts
 * openings since the endpoint last recovered, for the disable-endpoint policy.
 */
export class EndpointBreakers {
  private readonly breakers = new Map<
    string,
    { breaker: Breaker; trips: number; usedAt: number }
  >();

  constructor(private readonly settings: BreakerSettings) {}

  /** True while the endpoint's breaker refuses requests (open and not yet half-open). */
  isOpen(endpointId: string): boolean {
    const entry = this.breakers.get(endpointId);
    return entry !== undefined && entry.breaker.opened && !entry.breaker.halfOpen;
  }

  consecutiveTrips(endpointId: string): number {
    return this.breakers.get(endpointId)?.trips ?? 0;
  }

  /** Runs a send through the endpoint's breaker; `open` when it refused to try. */
  async run(endpointId: string, send: () => Promise<SendResult>): Promise<SendResult | 'open'> {
    const entry = this.entry(endpointId);
    entry.usedAt = Date.now();
    try {
      return await entry.breaker.fire(send);
    } catch (error) {
      if (error instanceof DeliveryFailed) return error.result;
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') return 'open';
      throw error;
    }
  }

  /** How many endpoints' breakers are in each state (the breakers gauge, read at scrape time). */
  states(): Record<BreakerState, number> {
    const counts = { closed: 0, open: 0, half_open: 0 };
    for (const { breaker } of this.breakers.values()) {
      if (breaker.halfOpen) counts.half_open += 1;
      else if (breaker.opened) counts.open += 1;
      else counts.closed += 1;
    }
    return counts;
  }

  forget(endpointId: string): void {
    this.breakers.get(endpointId)?.breaker.shutdown();
    this.breakers.delete(endpointId);
  }

  shutdown(): void {
    for (const { breaker } of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  private entry(endpointId: string): { breaker: Breaker; trips: number; usedAt: number } {
    const existing = this.breakers.get(endpointId);
    if (existing) return existing;
    this.prune();
    const breaker: Breaker = new CircuitBreaker(
      async (send: () => Promise<SendResult>) => {
        const result = await send();
        if (isFailure(result)) throw new DeliveryFailed(result);
        return result;
      },
      {
        timeout: false, // the sender has its own per-endpoint timeout
        // opossum trips on "more than"; Convoy's rule is "at least".
        errorThresholdPercentage: this.settings.errorThresholdPercent - 0.001,
        volumeThreshold: this.settings.minRequests,
        rollingCountTimeout: this.settings.windowMs,
        rollingCountBuckets: 10,
        resetTimeout: this.settings.resetMs,
      },
    );
    const entry = { breaker, trips: 0, usedAt: Date.now() };
    breaker.on('open', () => {
      entry.trips += 1;
    });
    breaker.on('close', () => {
      entry.trips = 0;
    });
    this.breakers.set(endpointId, entry);
    return entry;
  }

  /** Breakers of endpoints quiet for a whole window, and closed, hold nothing worth keeping. */
  private prune(): void {
    if (this.breakers.size < 10_000) return;
    const cutoff = Date.now() - this.settings.windowMs;
    for (const [endpointId, entry] of this.breakers) {
      if (entry.breaker.closed && entry.usedAt < cutoff) this.forget(endpointId);
    }
  }
}
