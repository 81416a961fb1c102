/**
 * A delivery was not attempted because the destination address is not allowed. Not retryable until
 * the endpoint URL, its DNS or the allowlist changes, so the dispatcher can fail it straight away.
 */
export class EgressRefusedError extends Error {
  override readonly name = 'EgressRefusedError';
  readonly code = 'FLOTILLA_EGRESS_REFUSED';
  /** The host as written in the endpoint URL. */
  readonly hostname: string;
  /** The refused address it resolved to (or was). */
  readonly address: string;
  readonly reason: string;

  constructor(details: { hostname: string; address: string; reason: string }) {
    super(`refusing to connect to ${details.hostname} (${details.address}): ${details.reason}`);
    this.hostname = details.hostname;
    this.address = details.address;
    this.reason = details.reason;
  }
}
