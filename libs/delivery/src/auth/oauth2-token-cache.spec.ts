import type { HttpSender, SendResult } from '../http/http-sender';
import {
  OAuth2TokenCache,
  parseTokenResponse,
  type StoredOAuth2Settings,
} from './oauth2-token-cache';

const settings: StoredOAuth2Settings = {
  url: 'https://auth.example.com/token',
  client_id: 'flotilla',
  grant_type: 'client_credentials',
  authentication_type: 'shared_secret',
  scope: 'webhooks:write',
};

function answer(status: number, body: unknown): SendResult {
  return { kind: 'response', status, headers: {}, body: JSON.stringify(body), latencyMs: 1 };
}

function setup(...answers: SendResult[]) {
  let now = 1_000_000;
  const send = jest.fn<Promise<SendResult>, Parameters<HttpSender['send']>>();
  for (const result of answers) send.mockResolvedValueOnce(result);
  const cache = new OAuth2TokenCache({ send } as unknown as HttpSender, () => now);
  return {
    cache,
    send,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('OAuth2TokenCache', () => {
  it('POSTs the client credentials form-encoded to the token URL', async () => {
    const { cache, send } = setup(answer(200, { access_token: 't1', expires_in: 3600 }));
    await expect(cache.token('ep', settings, 's3cret')).resolves.toBe('t1');
    const request = send.mock.calls[0]![0];
    expect(request.url).toBe(settings.url);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(request.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: 'flotilla',
      client_secret: 's3cret',
      scope: 'webhooks:write',
    });
  });

  it('reuses a token until shortly before it expires', async () => {
    const { cache, send, advance } = setup(
      answer(200, { access_token: 't1', expires_in: 3600 }),
      answer(200, { access_token: 't2', expires_in: 3600 }),
    );
    await cache.token('ep', settings, 's');
    advance(3_000_000);
    await expect(cache.token('ep', settings, 's')).resolves.toBe('t1');
    advance(300_000); // 3,300 s in: within the last tenth of its hour
    await expect(cache.token('ep', settings, 's')).resolves.toBe('t2');
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('fetches a new token after invalidate (the endpoint answered 401)', async () => {
    const { cache } = setup(
      answer(200, { access_token: 't1', expires_in: 3600 }),
      answer(200, { access_token: 't2', expires_in: 3600 }),
    );
    await cache.token('ep', settings, 's');
    cache.invalidate('ep');
    await expect(cache.token('ep', settings, 's')).resolves.toBe('t2');
  });

  it('fetches a new token when the settings or the secret change', async () => {
    const { cache } = setup(
      answer(200, { access_token: 't1' }),
      answer(200, { access_token: 't2' }),
    );
    await cache.token('ep', settings, 's');
    await expect(cache.token('ep', settings, 'rotated')).resolves.toBe('t2');
  });

  it('shares one token request between concurrent deliveries', async () => {
    const { cache, send } = setup(answer(200, { access_token: 't1' }));
    const tokens = await Promise.all([1, 2, 3].map(() => cache.token('ep', settings, 's')));
    expect(tokens).toEqual(['t1', 't1', 't1']);
    expect(send).toHaveBeenCalledTimes(1);
  });

  it('fails with the token endpoint’s status and OAuth2 error, and caches nothing', async () => {
    const { cache, send } = setup(
      answer(401, { error: 'invalid_client', error_description: 'bad secret' }),
      answer(200, { access_token: 't2' }),
    );
    await expect(cache.token('ep', settings, 's')).rejects.toMatchObject({
      errorKind: 'oauth2_token',
      message:
        'OAuth2 token request to https://auth.example.com/token failed: HTTP 401 (invalid_client: bad secret)',
    });
    await expect(cache.token('ep', settings, 's')).resolves.toBe('t2');
    expect(send).toHaveBeenCalledTimes(2);
  });

  it('keeps the connection error’s kind (e.g. egress_refused)', async () => {
    const { cache } = setup({
      kind: 'error',
      errorKind: 'egress_refused',
      message: 'refused: 10.0.0.1 is private',
      latencyMs: 0,
    });
    await expect(cache.token('ep', settings, 's')).rejects.toMatchObject({
      errorKind: 'egress_refused',
      message: expect.stringMatching(/token request .* failed: refused/),
    });
  });
});

describe('parseTokenResponse', () => {
  it('reads mapped field names and the configured expiry unit', () => {
    expect(
      parseTokenResponse(JSON.stringify({ accessToken: 'abc', expiresIn: 2 }), {
        field_mapping: { access_token: 'accessToken', expires_in: 'expiresIn' },
        expiry_time_unit: 'minutes',
      }),
    ).toEqual({ token: 'abc', lifetimeMs: 120_000 });
  });

  it('assumes an hour when the lifetime is missing', () => {
    expect(parseTokenResponse('{"access_token":"abc"}', {}).lifetimeMs).toBe(3_600_000);
  });

  it('refuses an answer without a usable token', () => {
    expect(() => parseTokenResponse('{"token":"abc"}', {})).toThrow(/no usable "access_token"/);
    expect(() => parseTokenResponse('not json', {})).toThrow(/not JSON/);
    expect(() => parseTokenResponse('{"access_token":"a b"}', {})).toThrow(/no usable/);
  });
});
