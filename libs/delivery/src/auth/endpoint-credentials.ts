import type { CredentialsCipher } from '@flotilla/signing';

/** An endpoint's secrets, stored as one encrypted JSON document in `endpoints.credentials`. */
export interface EndpointCredentials {
  oauth2_client_secret?: string;
  mtls_client_key?: string;
}

/** Binds the ciphertext to its endpoint: credentials copied onto another row do not decrypt. */
export function endpointCredentialsAad(endpointId: string): string {
  return `endpoint:${endpointId}`;
}

export function encryptEndpointCredentials(
  cipher: CredentialsCipher,
  endpointId: string,
  credentials: EndpointCredentials,
): Uint8Array<ArrayBuffer> | null {
  if (credentials.oauth2_client_secret === undefined && credentials.mtls_client_key === undefined)
    return null;
  return new Uint8Array(
    cipher.encrypt(JSON.stringify(credentials), endpointCredentialsAad(endpointId)),
  );
}

/** The stored secrets; throws CredentialsDecryptError when they cannot be read with this key. */
export function decryptEndpointCredentials(
  cipher: CredentialsCipher,
  endpointId: string,
  stored: Uint8Array | null,
): EndpointCredentials {
  if (!stored) return {};
  return JSON.parse(
    cipher.decrypt(stored, endpointCredentialsAad(endpointId)),
  ) as EndpointCredentials;
}
