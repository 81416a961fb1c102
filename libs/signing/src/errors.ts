/** Why a verification failed; stable strings so callers can map them to responses or metrics. */
export const SignatureVerificationErrorCode = {
  MissingHeader: 'missing_header',
  TimestampOutOfTolerance: 'timestamp_out_of_tolerance',
  NoMatchingSignature: 'no_matching_signature',
  Malformed: 'malformed',
} as const;
export type SignatureVerificationErrorCode =
  (typeof SignatureVerificationErrorCode)[keyof typeof SignatureVerificationErrorCode];

/**
 * Thrown by the verify functions for anything wrong with the *request*. Problems with the caller's own
 * configuration (an undecodable secret, an unknown hash) throw TypeError instead, so a misconfigured
 * receiver fails loudly rather than looking like a stream of forged requests.
 */
export class SignatureVerificationError extends Error {
  override readonly name = 'SignatureVerificationError';

  constructor(
    readonly code: SignatureVerificationErrorCode,
    message: string,
  ) {
    super(message);
  }
}
