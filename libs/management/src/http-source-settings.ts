import {
  PROVIDER_PRESETS,
  type SourceProvider,
  type StoredVerifier,
  type VerifierBody,
  type VerifierSecret,
} from '@flotilla/contracts';
import { ManagementError } from './management-error';

/** An http source's verifier: settings (stored as they are) and secret (stored encrypted). */
export interface HttpVerifierSettings {
  stored: StoredVerifier;
  secret: VerifierSecret | undefined;
}

/**
 * The verifier to store from a create or update body. A provider preset fixes the hmac settings
 * (only its secret is taken from the body); otherwise the verifier's type decides which block is
 * needed. On update, anything left out (secrets included) keeps its stored value when the verifier
 * type is unchanged.
 */
export function httpVerifierSettings(
  provider: SourceProvider | undefined,
  body: VerifierBody | undefined,
  previous?: HttpVerifierSettings,
): HttpVerifierSettings {
  const before = <T extends StoredVerifier['type']>(type: T) =>
    previous?.stored.type === type
      ? {
          stored: previous.stored as Extract<StoredVerifier, { type: T }>,
          secret: previous.secret?.type === type ? previous.secret : undefined,
        }
      : undefined;
  if (provider !== undefined) {
    if (body?.type !== undefined && body.type !== 'hmac') {
      throw invalid('verifier.type', `must be hmac (or left out) with provider ${provider}`);
    }
    const secret = body?.hmac?.secret ?? hmacSecret(before('hmac')?.secret);
    return {
      stored: { type: 'hmac', hmac: { ...PROVIDER_PRESETS[provider].hmac } },
      secret: { type: 'hmac', secret: required(secret, 'verifier.hmac.secret') },
    };
  }
  const type = body?.type ?? previous?.stored.type;
  if (type === undefined) throw invalid('verifier.type', 'is required (or give a provider)');
  switch (type) {
    case 'noop':
      return { stored: { type: 'noop' }, secret: undefined };
    case 'hmac': {
      const prior = before('hmac');
      const hmac = body?.hmac;
      return {
        stored: {
          type: 'hmac',
          hmac: {
            header: required(hmac?.header ?? prior?.stored.hmac.header, 'verifier.hmac.header'),
            hash: hmac?.hash ?? prior?.stored.hmac.hash ?? 'SHA256',
            encoding: hmac?.encoding ?? prior?.stored.hmac.encoding ?? 'hex',
          },
        },
        secret: {
          type: 'hmac',
          secret: required(hmac?.secret ?? hmacSecret(prior?.secret), 'verifier.hmac.secret'),
        },
      };
    }
    case 'basic_auth': {
      const prior = before('basic_auth');
      const auth = body?.basic_auth;
      const password = prior?.secret?.type === 'basic_auth' ? prior.secret.password : undefined;
      return {
        stored: {
          type: 'basic_auth',
          basic_auth: {
            username: required(
              auth?.username ?? prior?.stored.basic_auth.username,
              'verifier.basic_auth.username',
            ),
          },
        },
        secret: {
          type: 'basic_auth',
          password: required(auth?.password ?? password, 'verifier.basic_auth.password'),
        },
      };
    }
    case 'api_key': {
      const prior = before('api_key');
      const key = body?.api_key;
      const value = prior?.secret?.type === 'api_key' ? prior.secret.header_value : undefined;
      return {
        stored: {
          type: 'api_key',
          api_key: {
            header_name: required(
              key?.header_name ?? prior?.stored.api_key.header_name,
              'verifier.api_key.header_name',
            ),
          },
        },
        secret: {
          type: 'api_key',
          header_value: required(key?.header_value ?? value, 'verifier.api_key.header_value'),
        },
      };
    }
  }
}

function hmacSecret(secret: VerifierSecret | undefined): string | undefined {
  return secret?.type === 'hmac' ? secret.secret : undefined;
}

function required(value: string | undefined, field: string): string {
  if (value === undefined || value === '') throw invalid(field, 'is required');
  return value;
}

function invalid(field: string, message: string): ManagementError {
  return new ManagementError('validation', `${field}: ${message}`, field);
}
