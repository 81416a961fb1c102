import type { EndpointSecretResponse, SignatureAlgorithm } from '@flotilla/contracts';
import type { EndpointSecret } from '@flotilla/db';
import { ed25519PublicKeyOf, isEd25519SecretKey } from '@flotilla/signing';

/** A stored secret's algorithm: its prefix says it, so no column has to agree with the list. */
export function signatureAlgorithmOf(secret: string): SignatureAlgorithm {
  return isEd25519SecretKey(secret) ? 'ed25519' : 'hmac-sha256';
}

/** The newest secret's algorithm: what the endpoint signs with once the older ones expire. */
export function currentSignatureAlgorithm(secrets: readonly EndpointSecret[]): SignatureAlgorithm {
  const newest = secrets.reduce<EndpointSecret | undefined>(
    (latest, secret) => (latest && latest.created_at >= secret.created_at ? latest : secret),
    undefined,
  );
  return newest ? signatureAlgorithmOf(newest.value) : 'hmac-sha256';
}

/**
 * A secret as the API shows it: what the receiver verifies with. An ed25519 private key never
 * leaves Flotilla; its `whpk_` public key takes its place.
 */
export function presentSecret(secret: EndpointSecret): EndpointSecretResponse {
  return isEd25519SecretKey(secret.value)
    ? { ...secret, value: ed25519PublicKeyOf(secret.value) }
    : { ...secret };
}
