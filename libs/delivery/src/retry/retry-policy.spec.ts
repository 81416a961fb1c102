import { nextRetryDelaySeconds, parseRetryAfter } from './retry-policy';

describe('nextRetryDelaySeconds', () => {
  it('waits the same interval each time when linear, until retries run out', () => {
    const strategy = { type: 'linear' as const, duration: 10, retry_count: 2 };
    expect(nextRetryDelaySeconds(strategy, 1)).toBe(10);
    expect(nextRetryDelaySeconds(strategy, 2)).toBe(10);
    expect(nextRetryDelaySeconds(strategy, 3)).toBeUndefined();
  });

  it('doubles with jitter and a cap when exponential', () => {
    const strategy = { type: 'exponential' as const, duration: 2, retry_count: 20 };
    expect(nextRetryDelaySeconds(strategy, 1, undefined, () => 0)).toBe(2);
    expect(nextRetryDelaySeconds(strategy, 3, undefined, () => 0)).toBe(8);
    expect(nextRetryDelaySeconds(strategy, 3, undefined, () => 1)).toBe(13);
    expect(nextRetryDelaySeconds(strategy, 20, undefined, () => 0)).toBe(7200);
  });

  it('honours a longer Retry-After, capped', () => {
    const strategy = { type: 'linear' as const, duration: 10, retry_count: 5 };
    expect(nextRetryDelaySeconds(strategy, 1, 60)).toBe(60);
    expect(nextRetryDelaySeconds(strategy, 1, 5)).toBe(10);
    expect(nextRetryDelaySeconds(strategy, 1, 999_999)).toBe(7200);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter(new Date(Date.now() + 30_000).toUTCString())).toBeGreaterThanOrEqual(29);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
