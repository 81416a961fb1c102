import { randomBytes } from 'node:crypto';
import { REDACTED_CREDENTIAL } from '@flotilla/contracts';
import type { Endpoint } from '@flotilla/db';
import { decryptEndpointCredentials } from '@flotilla/delivery';
import { EgressPolicy } from '@flotilla/egress';
import { CredentialsCipher } from '@flotilla/signing';
import { checkClientCertificate, storeEndpointAuth } from './endpoint-credentials';

// A self-signed P-256 certificate valid for 100 years, its key, and an unrelated key.
const CERT = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBkjCCATegAwIBAgIUK/iumbwPrTRcr5zpWTvA6gd7PtwwCgYIKoZIzj0EAwIw',
  'HTEbMBkGA1UEAwwSZmxvdGlsbGEtdW5pdC10ZXN0MCAXDTI2MTIwNTE1MzQzOVoY',
  'DzIxMjYxMTExMTUzNDM5WjAdMRswGQYDVQQDDBJmbG90aWxsYS11bml0LXRlc3Qw',
  'WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAR9VJDM+l/SZoMT+SD3YUByHrmbcjCc',
  'spCz+vtf4A3/wM/bf8tNg/ngp9oqb9F+MepVaFfv/Ew4Zgg2OVBtdi0fo1MwUTAd',
  'BgNVHQ4EFgQUWmAIhllDZOkQNKGw4Nb170U2yp8wHwYDVR0jBBgwFoAUWmAIhllD',
  'ZOkQNKGw4Nb170U2yp8wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBG',
  'AiEAzsQ1fO8G80K+4EQ5d9Q+wKFbbUZ2qzMUkLOVrCj3SlECIQCrZXWbjbnJPbCG',
  'asbg7xFORotoZIgW77zltSfjY2vVXQ==',
  '-----END CERTIFICATE-----',
].join('\n');
const KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgdsEyp3g3IgnOcWtT',
  'gjn1YRAw/UwX/6/+CqIw7vYaSMWhRANCAAR9VJDM+l/SZoMT+SD3YUByHrmbcjCc',
  'spCz+vtf4A3/wM/bf8tNg/ngp9oqb9F+MepVaFfv/Ew4Zgg2OVBtdi0f',
  '-----END PRIVATE KEY-----',
].join('\n');
const OTHER_KEY = [
  '-----BEGIN PRIVATE KEY-----',
  'MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgwBY0tO0R5CkxvtPe',
  '9p2rlIxxEFBj3VSFfIms3eIiD5yhRANCAARSDdpphs4Po10tXT+TmLkCguxemfC1',
  'vemlsV2vcD+XXOmxLOFAmC28zJgYxw+ZR1aybfe7U/fRsUsUbcx6UstC',
  '-----END PRIVATE KEY-----',
].join('\n');

const NOW = new Date('2026-12-05T00:00:00Z');
const ID = '0193a000-0000-7000-8000-0000000000dd';
const cipher = new CredentialsCipher(randomBytes(32).toString('base64'));
const deps = { cipher, egress: new EgressPolicy([]), now: NOW };
const oauth2 = {
  url: 'https://auth.example.com/token',
  client_id: 'flotilla',
  grant_type: 'client_credentials' as const,
  authentication_type: 'shared_secret' as const,
};

function endpointWith(stored: ReturnType<typeof storeEndpointAuth>): Endpoint {
  return {
    id: ID,
    authentication: stored.authentication ?? null,
    credentials: stored.credentials ?? null,
    mtlsClientCert: stored.mtlsClientCert ?? null,
  } as unknown as Endpoint;
}

describe('checkClientCertificate', () => {
  it('accepts a certificate with its own key', () => {
    expect(() => {
      checkClientCertificate(CERT, KEY, NOW);
    }).not.toThrow();
  });

  it('refuses a key that is not the certificate’s, naming client_key', () => {
    expect(() => {
      checkClientCertificate(CERT, OTHER_KEY, NOW);
    }).toThrow(/^mtls_client_cert\.client_key: is not the private key of client_cert/);
  });

  it('refuses a certificate that does not parse, naming client_cert', () => {
    expect(() => {
      checkClientCertificate(
        '-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----',
        KEY,
        NOW,
      );
    }).toThrow(/^mtls_client_cert\.client_cert: is not a PEM X\.509 certificate/);
  });

  it('refuses a key that does not parse, naming client_key', () => {
    expect(() => {
      checkClientCertificate(
        CERT,
        '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----',
        NOW,
      );
    }).toThrow(/^mtls_client_cert\.client_key: is not an unencrypted PEM private key/);
  });

  it('refuses an expired certificate', () => {
    expect(() => {
      checkClientCertificate(CERT, KEY, new Date('2200-01-01T00:00:00Z'));
    }).toThrow(/^mtls_client_cert\.client_cert: expired on/);
  });
});

describe('storeEndpointAuth', () => {
  it('keeps the OAuth2 client secret encrypted, out of the stored settings', () => {
    const stored = storeEndpointAuth(
      ID,
      undefined,
      { type: 'oauth2', oauth2: { ...oauth2, client_secret: 's3cret' } },
      undefined,
      deps,
    );
    expect(JSON.stringify(stored.authentication)).not.toContain('s3cret');
    expect(Buffer.from(stored.credentials!).toString('latin1')).not.toContain('s3cret');
    expect(decryptEndpointCredentials(cipher, ID, stored.credentials!)).toEqual({
      oauth2_client_secret: 's3cret',
    });
  });

  it('requires a client secret for a new OAuth2 authentication', () => {
    expect(() =>
      storeEndpointAuth(ID, undefined, { type: 'oauth2', oauth2 }, undefined, deps),
    ).toThrow(/^authentication\.oauth2\.client_secret: is required/);
  });

  it('refuses a token URL the egress policy refuses, naming it', () => {
    expect(() =>
      storeEndpointAuth(
        ID,
        undefined,
        { type: 'oauth2', oauth2: { ...oauth2, url: 'http://10.0.0.1/token', client_secret: 's' } },
        undefined,
        deps,
      ),
    ).toThrow(/^authentication\.oauth2\.url: /);
  });

  it('keeps the stored secret and key when an update sends them back [REDACTED]', () => {
    const first = endpointWith(
      storeEndpointAuth(
        ID,
        undefined,
        { type: 'oauth2', oauth2: { ...oauth2, client_secret: 's3cret' } },
        { client_cert: CERT, client_key: KEY },
        deps,
      ),
    );
    const again = storeEndpointAuth(
      ID,
      first,
      { type: 'oauth2', oauth2: { ...oauth2, client_secret: REDACTED_CREDENTIAL } },
      { client_cert: CERT, client_key: REDACTED_CREDENTIAL },
      deps,
    );
    expect(decryptEndpointCredentials(cipher, ID, again.credentials!)).toEqual({
      oauth2_client_secret: 's3cret',
      mtls_client_key: KEY,
    });
  });

  it('keeps the mTLS key when only the authentication changes', () => {
    const first = endpointWith(
      storeEndpointAuth(ID, undefined, undefined, { client_cert: CERT, client_key: KEY }, deps),
    );
    const changed = storeEndpointAuth(ID, first, null, undefined, deps);
    expect(changed.authentication).toBeNull();
    expect(decryptEndpointCredentials(cipher, ID, changed.credentials!)).toEqual({
      mtls_client_key: KEY,
    });
  });

  it('drops every secret once authentication and certificate are removed', () => {
    const first = endpointWith(
      storeEndpointAuth(
        ID,
        undefined,
        { type: 'oauth2', oauth2: { ...oauth2, client_secret: 's3cret' } },
        { client_cert: CERT, client_key: KEY },
        deps,
      ),
    );
    expect(storeEndpointAuth(ID, first, null, null, deps)).toEqual({
      authentication: null,
      mtlsClientCert: null,
      credentials: null,
    });
  });
});
