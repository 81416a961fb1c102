import { idempotencyKeysSchema, parseIdempotencyKeyLocation } from './idempotency-key-location';

describe('idempotency key locations', () => {
  it('reads Convoy’s spellings of a header, a query parameter and a body path', () => {
    expect(parseIdempotencyKeyLocation('request.header.X-GitHub-Delivery')).toEqual({
      ok: true,
      location: { in: 'header', path: ['X-GitHub-Delivery'] },
    });
    expect(parseIdempotencyKeyLocation('req.QueryParam.delivery')).toEqual({
      ok: true,
      location: { in: 'query', path: ['delivery'] },
    });
    expect(parseIdempotencyKeyLocation('request.Body.data.object.id')).toEqual({
      ok: true,
      location: { in: 'body', path: ['data', 'object', 'id'] },
    });
  });

  it('refuses other roots, other parts, and paths that name nothing or too much', () => {
    for (const text of [
      'header.X-Id',
      'request.cookie.id',
      'request.header',
      'request.header.',
      'request.header.X.Y',
      'request.body..id',
    ]) {
      expect(parseIdempotencyKeyLocation(text)).toMatchObject({ ok: false });
    }
  });

  it('takes null as none and names the bad entry', () => {
    expect(idempotencyKeysSchema.parse(null)).toEqual([]);
    const result = idempotencyKeysSchema.safeParse(['request.header.X-Id', 'request.cookie.id']);
    expect(result.success ? [] : result.error.issues.map((issue) => issue.path)).toEqual([[1]]);
  });
});
