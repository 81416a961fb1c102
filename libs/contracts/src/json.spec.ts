import { findTooDeepJson, headerMapSchema } from './json';

describe('findTooDeepJson', () => {
  const nested = (depth: number): unknown =>
    JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);

  it('finds the path of a value nested 10,000 deep without overflowing the stack', () => {
    const path = findTooDeepJson({ data: nested(10_000) });
    expect(path).toHaveLength(64);
    expect(path?.[0]).toBe('data');
  });

  it('accepts values up to the limit', () => {
    expect(findTooDeepJson({ data: nested(62) })).toBeUndefined();
    expect(findTooDeepJson([[1], { a: [null] }])).toBeUndefined();
  });
});

describe('headerMapSchema', () => {
  it('refuses a NUL character in a value', () => {
    expect(headerMapSchema.safeParse({ 'X-A': 'a\u0000b' }).success).toBe(false);
  });
});
