/** Kafka did not take the messages (down, slow, no leader): callers answer 503 or stop pulling. */
export class BrokerUnavailableError extends Error {
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BrokerUnavailableError';
  }
}

/**
 * Thrown by a batch handler when the whole unit of work should be tried again later (a database or
 * broker hiccup). The transport backs off and retries the same messages; nothing is committed.
 */
export class RetryableBatchError extends Error {
  readonly retryable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RetryableBatchError';
  }
}
