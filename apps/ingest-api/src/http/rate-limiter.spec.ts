import { ApiRateLimiter, AuthFailureLimiter } from './rate-limiter';

function limiter(
  perSecond: number,
  burst: number,
): { limiter: ApiRateLimiter; advance: (ms: number) => void } {
  let now = 0;
  return {
    limiter: new ApiRateLimiter({ perSecond, burst }, () => now),
    advance: (ms) => {
      now += ms;
    },
  };
}

describe('ApiRateLimiter', () => {
  it('lets a burst through, then refuses with the seconds until the next token', () => {
    const { limiter: rate } = limiter(2, 3);
    expect([rate.take('k'), rate.take('k'), rate.take('k')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(rate.take('k')).toBe(1);
  });

  it('refills at the configured rate, never beyond the burst', () => {
    const { limiter: rate, advance } = limiter(10, 5);
    for (let i = 0; i < 5; i += 1) rate.take('k');
    expect(rate.take('k')).toBe(1);
    advance(300); // 3 tokens
    expect([rate.take('k'), rate.take('k'), rate.take('k')]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    expect(rate.take('k')).toBe(1);
    advance(60_000);
    const allowed = Array.from({ length: 8 }, () => rate.take('k')).filter(
      (wait) => wait === undefined,
    );
    expect(allowed).toHaveLength(5);
  });

  it('keeps one bucket per key', () => {
    const { limiter: rate } = limiter(1, 1);
    expect(rate.take('a')).toBeUndefined();
    expect(rate.take('a')).toBe(1);
    expect(rate.take('b')).toBeUndefined();
  });

  it('answers whole seconds for slow rates', () => {
    const { limiter: rate } = limiter(0.1, 1);
    rate.take('k');
    expect(rate.take('k')).toBe(10);
  });

  it('limits nothing at 0', () => {
    const { limiter: rate } = limiter(0, 1);
    expect(
      Array.from({ length: 1000 }, () => rate.take('k')).every((wait) => wait === undefined),
    ).toBe(true);
  });

  it('forgets idle keys once there are many', () => {
    const { limiter: rate, advance } = limiter(1, 1);
    for (let i = 0; i < 10_000; i += 1) rate.take(`key-${String(i)}`);
    advance(2000);
    rate.take('new');
    expect((rate as unknown as { buckets: Map<string, unknown> }).buckets.size).toBe(1);
  });
});

describe('AuthFailureLimiter', () => {
  it('blocks an address after its failures reach the limit, until the minute is over', () => {
    let now = 0;
    const limiter = new AuthFailureLimiter(3, () => now);
    for (let n = 0; n < 3; n += 1) {
      expect(limiter.blockedFor('10.0.0.1')).toBeUndefined();
      limiter.fail('10.0.0.1');
    }
    expect(limiter.blockedFor('10.0.0.1')).toBe(60);
    expect(limiter.blockedFor('10.0.0.2')).toBeUndefined();
    now = 59_500;
    expect(limiter.blockedFor('10.0.0.1')).toBe(1);
    now = 60_000;
    expect(limiter.blockedFor('10.0.0.1')).toBeUndefined();
  });

  it('never blocks when turned off', () => {
    const limiter = new AuthFailureLimiter(0);
    for (let n = 0; n < 100; n += 1) limiter.fail('10.0.0.1');
    expect(limiter.blockedFor('10.0.0.1')).toBeUndefined();
  });
});
