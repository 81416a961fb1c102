import { incomingIdempotencyKey, type IncomingRequestParts } from './incoming-idempotency-key';

const SOURCE = '0190a4d2-0000-7000-8000-000000000001';

function request(parts: Partial<IncomingRequestParts>): IncomingRequestParts {
  return { headers: {}, query: new URLSearchParams(), body: Buffer.from('{}'), ...parts };
}

describe('incoming idempotency key', () => {
  const header = [{ in: 'header', path: ['X-GitHub-Delivery'] }] as const;

  it('is the same for a replay and differs for another delivery or another source', () => {
    const first = incomingIdempotencyKey(
      SOURCE,
      header,
      request({ headers: { 'x-github-delivery': 'a1' } }),
    );
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(
      incomingIdempotencyKey(SOURCE, header, request({ headers: { 'x-github-delivery': 'a1' } })),
    ).toBe(first);
    expect(
      incomingIdempotencyKey(SOURCE, header, request({ headers: { 'x-github-delivery': 'a2' } })),
    ).not.toBe(first);
    expect(
      incomingIdempotencyKey(
        '0190a4d2-0000-7000-8000-000000000002',
        header,
        request({ headers: { 'x-github-delivery': 'a1' } }),
      ),
    ).not.toBe(first);
  });

  it('is absent when the source names no location or the request carries none of them', () => {
    expect(incomingIdempotencyKey(SOURCE, [], request({}))).toBeUndefined();
    expect(incomingIdempotencyKey(SOURCE, header, request({}))).toBeUndefined();
  });

  it('reads query parameters and JSON body paths, own keys only', () => {
    const locations = [
      { in: 'query', path: ['id'] },
      { in: 'body', path: ['data', 'id'] },
    ] as const;
    const key = (query: string, body: string) =>
      incomingIdempotencyKey(
        SOURCE,
        locations,
        request({ query: new URLSearchParams(query), body: Buffer.from(body) }),
      );
    expect(key('id=1', '{"data":{"id":7}}')).not.toBe(key('id=1', '{"data":{"id":8}}'));
    expect(key('id=1', '{"data":{"id":7}}')).not.toBe(key('id=2', '{"data":{"id":7}}'));
    expect(key('', 'not json')).toBeUndefined();
    expect(
      incomingIdempotencyKey(
        SOURCE,
        [{ in: 'body', path: ['constructor', 'name'] }],
        request({ body: Buffer.from('{}') }),
      ),
    ).toBeUndefined();
  });
});
