import { EndpointRateLimiter, RATE_WINDOW_MARGIN_MS, type RateDecision } from './rate-limiter';

/** Acquires and, when allowed, ends the request after `tookMs`. */
function acquire(
  limiter: EndpointRateLimiter,
  endpoint: string,
  limit: number,
  now: number,
  tookMs = 0,
): RateDecision {
  const decision = limiter.tryAcquire(endpoint, limit, 1000, now);
  if (decision.allowed) decision.done(now + tookMs);
  return decision;
}

describe('EndpointRateLimiter', () => {
  it('allows `limit` sends per window and says when the next one may go', () => {
    const limiter = new EndpointRateLimiter();
    for (let index = 0; index < 10; index += 1) {
      expect(acquire(limiter, 'a', 10, 1000 + index)).toMatchObject({ allowed: true });
    }
    expect(acquire(limiter, 'a', 10, 1500)).toEqual({
      allowed: false,
      retryAt: 2000 + RATE_WINDOW_MARGIN_MS,
    });
    expect(acquire(limiter, 'a', 10, 2000 + RATE_WINDOW_MARGIN_MS)).toMatchObject({
      allowed: true,
    });
  });

  it('keeps endpoints apart and treats 0 as unlimited', () => {
    const limiter = new EndpointRateLimiter();
    expect(acquire(limiter, 'a', 1, 0)).toMatchObject({ allowed: true });
    expect(acquire(limiter, 'a', 1, 1)).toMatchObject({ allowed: false });
    expect(acquire(limiter, 'b', 1, 1)).toMatchObject({ allowed: true });
    for (let index = 0; index < 100; index += 1)
      expect(acquire(limiter, 'c', 0, 5)).toMatchObject({ allowed: true });
  });

  it('counts a request until a window after it ended, not after it started', () => {
    const limiter = new EndpointRateLimiter();
    const slow = limiter.tryAcquire('a', 1, 1000, 0);
    expect(slow.allowed).toBe(true);
    // Still in flight at 5 s: it may arrive any moment, so the slot is not free.
    expect(limiter.tryAcquire('a', 1, 1000, 5000)).toEqual({
      allowed: false,
      retryAt: 6000 + RATE_WINDOW_MARGIN_MS,
    });
    if (slow.allowed) slow.done(5200);
    expect(limiter.tryAcquire('a', 1, 1000, 6000)).toMatchObject({ allowed: false });
    expect(limiter.tryAcquire('a', 1, 1000, 6200 + RATE_WINDOW_MARGIN_MS)).toMatchObject({
      allowed: true,
    });
  });

  it('never lets a receiver see more than `limit` arrivals in a window, however late requests arrive', () => {
    const limiter = new EndpointRateLimiter();
    const arrivals: number[] = [];
    let seed = 7;
    const random = (): number => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    for (let now = 0; now < 20_000; now += 7) {
      const took = Math.floor(random() * 400);
      const decision = limiter.tryAcquire('a', 5, 1000, now);
      if (!decision.allowed) continue;
      // The receiver records the request anywhere between its start and its answer.
      arrivals.push(now + Math.floor(random() * took));
      decision.done(now + took);
    }
    arrivals.sort((a, b) => a - b);
    for (const at of arrivals)
      expect(
        arrivals.filter((other) => other >= at && other < at + 1000).length,
      ).toBeLessThanOrEqual(5);
  });
});
