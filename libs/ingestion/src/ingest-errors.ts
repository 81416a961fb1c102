export type IngestErrorCode = 'endpoint_not_found' | 'invalid_data' | 'broker_unavailable';

/** Why an event was not accepted; the HTTP layer maps codes to statuses, the ingesters to dead letters. */
export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IngestError';
  }

  get retryable(): boolean {
    return this.code === 'broker_unavailable';
  }
}
