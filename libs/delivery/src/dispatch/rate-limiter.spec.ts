import { EndpointRateLimiter, RATE_WINDOW_MARGIN_MS } from './rate-limiter';

describe('EndpointRateLimiter', () => {
  it('allows `limit` sends per window and says when the next one may go', () => {
    const limiter = new EndpointRateLimiter();
    for (let index = 0; index < 10; index += 1) {
      expect(limiter.tryAcquire('a', 10, 1000, 1000 + index)).toEqual({ allowed: true });
    }
    expect(limiter.tryAcquire('a', 10, 1000, 1500)).toEqual({ allowed: false, retryAt: 2000 + RATE_WINDOW_MARGIN_MS });
    expect(limiter.tryAcquire('a', 10, 1000, 2000 + RATE_WINDOW_MARGIN_MS)).toEqual({ allowed: true });
  });

  it('keeps endpoints apart and treats 0 as unlimited', () => {
    const limiter = new EndpointRateLimiter();
    expect(limiter.tryAcquire('a', 1, 1000, 0)).toEqual({ allowed: true });
    expect(limiter.tryAcquire('a', 1, 1000, 1)).toMatchObject({ allowed: false });
    expect(limiter.tryAcquire('b', 1, 1000, 1)).toEqual({ allowed: true });
    for (let index = 0; index < 100; index += 1) expect(limiter.tryAcquire('c', 0, 1000, 5)).toEqual({ allowed: true });
  });

  it('never lets more than `limit` start in any window, whatever the arrival pattern', () => {
    const limiter = new EndpointRateLimiter();
    const started: number[] = [];
    for (let now = 0; now < 10_000; now += 7) {
      if (limiter.tryAcquire('a', 5, 1000, now).allowed) started.push(now);
    }
    for (const at of started) expect(started.filter((other) => other >= at && other < at + 1000).length).toBeLessThanOrEqual(5);
  });
});
