import { httpVerifierSettings } from './http-source-settings';
import { ManagementError } from './management-error';

const fieldOf = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (error instanceof ManagementError) return error.field;
    throw error;
  }
  return undefined;
};

describe('httpVerifierSettings', () => {
  it('splits a verifier into stored settings and an encrypted-to-be secret', () => {
    expect(
      httpVerifierSettings(undefined, {
        type: 'hmac',
        hmac: { header: 'X-Sig', hash: 'SHA512', encoding: 'base64', secret: 's' },
      }),
    ).toEqual({
      stored: { type: 'hmac', hmac: { header: 'X-Sig', hash: 'SHA512', encoding: 'base64' } },
      secret: { type: 'hmac', secret: 's' },
    });
    expect(
      httpVerifierSettings(undefined, {
        type: 'basic_auth',
        basic_auth: { username: 'u', password: 'p' },
      }),
    ).toEqual({
      stored: { type: 'basic_auth', basic_auth: { username: 'u' } },
      secret: { type: 'basic_auth', password: 'p' },
    });
    expect(httpVerifierSettings(undefined, { type: 'noop' })).toEqual({
      stored: { type: 'noop' },
      secret: undefined,
    });
  });

  it('applies provider presets, taking only the secret from the body', () => {
    expect(httpVerifierSettings('shopify', { hmac: { secret: 's', header: 'X-Other' } })).toEqual({
      stored: {
        type: 'hmac',
        hmac: { header: 'X-Shopify-Hmac-Sha256', hash: 'SHA256', encoding: 'base64' },
      },
      secret: { type: 'hmac', secret: 's' },
    });
    expect(fieldOf(() => httpVerifierSettings('github', undefined))).toBe('verifier.hmac.secret');
    expect(fieldOf(() => httpVerifierSettings('github', { type: 'api_key' }))).toBe(
      'verifier.type',
    );
  });

  it('names what is missing', () => {
    expect(fieldOf(() => httpVerifierSettings(undefined, undefined))).toBe('verifier.type');
    expect(
      fieldOf(() => httpVerifierSettings(undefined, { type: 'hmac', hmac: { secret: 's' } })),
    ).toBe('verifier.hmac.header');
    expect(
      fieldOf(() =>
        httpVerifierSettings(undefined, { type: 'api_key', api_key: { header_name: 'X-K' } }),
      ),
    ).toBe('verifier.api_key.header_value');
  });

  it('keeps stored secrets on update when the verifier type stays, not across types', () => {
    const previous = httpVerifierSettings(undefined, {
      type: 'api_key',
      api_key: { header_name: 'X-K', header_value: 'v' },
    });
    expect(
      httpVerifierSettings(undefined, { api_key: { header_name: 'X-New' } }, previous),
    ).toEqual({
      stored: { type: 'api_key', api_key: { header_name: 'X-New' } },
      secret: { type: 'api_key', header_value: 'v' },
    });
    expect(
      fieldOf(() =>
        httpVerifierSettings(
          undefined,
          { type: 'basic_auth', basic_auth: { username: 'u' } },
          previous,
        ),
      ),
    ).toBe('verifier.basic_auth.password');
  });
});
