export interface RetryStrategy {
  type: 'linear' | 'exponential';
  /** Seconds: the interval (linear) or the base (exponential). */
  duration: number;
  /** Retries after the first attempt. */
  retry_count: number;
}

/** Convoy's cap for exponential backoff. */
export const MAX_BACKOFF_SECONDS = 7200;
const MAX_JITTER_SECONDS = 5;

/**
 * When to try again after the `attempt`-th attempt (1-based) failed, or undefined when the retries
 * are used up. A receiver's `Retry-After` wins when it asks for longer, capped at the backoff cap.
 */
export function nextRetryDelaySeconds(
  strategy: RetryStrategy,
  attempt: number,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number | undefined {
  if (attempt > strategy.retry_count) return undefined;
  let delay: number;
  switch (strategy.type) {
    case 'linear':
      delay = strategy.duration;
      break;
    case 'exponential':
      delay =
        Math.min(MAX_BACKOFF_SECONDS, strategy.duration * 2 ** (attempt - 1)) +
        random() * MAX_JITTER_SECONDS;
      break;
  }
  if (retryAfterSeconds !== undefined && retryAfterSeconds > delay) {
    delay = Math.min(retryAfterSeconds, MAX_BACKOFF_SECONDS);
  }
  return delay;
}

/** `Retry-After` as seconds: either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}
