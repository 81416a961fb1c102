/**
 * Per-endpoint rate limit as a sliding window over send times: at most `limit` requests start in
 * any window of `windowMs`. The deliver topic is keyed by endpoint, so one dispatcher owns an
 * endpoint at a time and a local limiter holds across replicas.
 *
 * Requests take a few milliseconds to arrive, and not always the same few, so the window is kept a
 * little longer than configured: a receiver counting arrivals never sees more than `limit` in a window.
 */
export const RATE_WINDOW_MARGIN_MS = 50;

export type RateDecision = { allowed: true } | { allowed: false; retryAt: number };

export class EndpointRateLimiter {
  private readonly sends = new Map<string, number[]>();

  tryAcquire(endpointId: string, limit: number, windowMs: number, now = Date.now()): RateDecision {
    if (limit <= 0) return { allowed: true };
    const window = windowMs + RATE_WINDOW_MARGIN_MS;
    const times = (this.sends.get(endpointId) ?? []).filter((at) => now - at < window);
    if (times.length >= limit) {
      this.sends.set(endpointId, times);
      return { allowed: false, retryAt: times[times.length - limit]! + window };
    }
    times.push(now);
    this.sends.set(endpointId, times);
    return { allowed: true };
  }
}
