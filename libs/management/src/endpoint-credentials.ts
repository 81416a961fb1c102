import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import {
  REDACTED_CREDENTIAL,
  type EndpointAuthentication,
  type MtlsClientCert,
} from '@flotilla/contracts';
import type { Endpoint } from '@flotilla/db';
import {
  decryptEndpointCredentials,
  encryptEndpointCredentials,
  type EndpointCredentials,
} from '@flotilla/delivery';
import { validateEndpointUrl, type EgressPolicy } from '@flotilla/egress';
import type { CredentialsCipher } from '@flotilla/signing';
import { ManagementError } from './management-error';

/** What an endpoint stores of its authentication: settings in the clear, secrets encrypted. */
export interface StoredEndpointAuth {
  authentication?: object | null;
  credentials?: Uint8Array<ArrayBuffer> | null;
  mtlsClientCert?: string | null;
}

/**
 * Splits a body's `authentication` and `mtls_client_cert` into what is stored in the clear and
 * what is encrypted. `undefined` keeps the endpoint's current value, `null` removes it; an OAuth2
 * `client_secret` or mTLS `client_key` left out (or `[REDACTED]`, as answers show them) keeps the
 * stored one, so Convoy clients can PUT an endpoint back as they read it.
 */
export function storeEndpointAuth(
  endpointId: string,
  existing: Endpoint | undefined,
  authentication: EndpointAuthentication | null | undefined,
  mtls: MtlsClientCert | null | undefined,
  deps: { cipher: CredentialsCipher; egress: EgressPolicy; now?: Date },
): StoredEndpointAuth {
  if (authentication === undefined && mtls === undefined) return {};
  const current = existing ? readCredentials(deps.cipher, existing) : {};
  const currentAuth = existing?.authentication as { type?: string } | null | undefined;
  const next: EndpointCredentials = {};
  const stored: StoredEndpointAuth = {};

  if (authentication === undefined) {
    if (currentAuth?.type === 'oauth2' && current.oauth2_client_secret !== undefined)
      next.oauth2_client_secret = current.oauth2_client_secret;
  } else if (authentication === null) {
    stored.authentication = null;
  } else if (authentication.type === 'api_key') {
    stored.authentication = authentication;
  } else {
    const { client_secret: given, ...settings } = authentication.oauth2;
    const validation = validateEndpointUrl(settings.url, deps.egress);
    if (!validation.valid) {
      throw new ManagementError(
        'validation',
        `authentication.oauth2.url: ${validation.reason}`,
        'authentication.oauth2.url',
      );
    }
    const secret =
      given !== undefined && given !== REDACTED_CREDENTIAL
        ? given
        : currentAuth?.type === 'oauth2'
          ? current.oauth2_client_secret
          : undefined;
    if (secret === undefined) {
      throw new ManagementError(
        'validation',
        'authentication.oauth2.client_secret: is required',
        'authentication.oauth2.client_secret',
      );
    }
    next.oauth2_client_secret = secret;
    stored.authentication = {
      type: 'oauth2',
      oauth2: { ...settings, url: validation.url.toString() },
    };
  }

  if (mtls === undefined) {
    if (existing?.mtlsClientCert && current.mtls_client_key !== undefined)
      next.mtls_client_key = current.mtls_client_key;
  } else if (mtls === null) {
    stored.mtlsClientCert = null;
  } else {
    const key =
      mtls.client_key === REDACTED_CREDENTIAL
        ? existing?.mtlsClientCert
          ? current.mtls_client_key
          : undefined
        : mtls.client_key;
    if (key === undefined) {
      throw new ManagementError(
        'validation',
        'mtls_client_cert.client_key: is required (the PEM private key of client_cert)',
        'mtls_client_cert.client_key',
      );
    }
    checkClientCertificate(mtls.client_cert, key, deps.now ?? new Date());
    next.mtls_client_key = key;
    stored.mtlsClientCert = mtls.client_cert;
  }

  stored.credentials = encryptEndpointCredentials(deps.cipher, endpointId, next);
  return stored;
}

/** The endpoint's stored secrets; unreadable ones (another key) count as none, to be given again. */
function readCredentials(cipher: CredentialsCipher, endpoint: Endpoint): EndpointCredentials {
  try {
    return decryptEndpointCredentials(cipher, endpoint.id, endpoint.credentials);
  } catch {
    return {};
  }
}

/**
 * A client certificate must parse, be valid now, and its key must be its private key: a 400 naming
 * the field, rather than every delivery failing its TLS handshake.
 */
export function checkClientCertificate(certPem: string, keyPem: string, now: Date): void {
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certPem);
  } catch {
    throw invalid('client_cert', 'is not a PEM X.509 certificate');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: keyPem, format: 'pem' });
  } catch {
    throw invalid('client_key', 'is not an unencrypted PEM private key');
  }
  if (!certificate.checkPrivateKey(key))
    throw invalid('client_key', 'is not the private key of client_cert');
  if (new Date(certificate.validTo) <= now)
    throw invalid('client_cert', `expired on ${new Date(certificate.validTo).toISOString()}`);
}

function invalid(field: 'client_cert' | 'client_key', reason: string): ManagementError {
  return new ManagementError(
    'validation',
    `mtls_client_cert.${field}: ${reason}`,
    `mtls_client_cert.${field}`,
  );
}
