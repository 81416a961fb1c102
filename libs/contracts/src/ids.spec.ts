import { derivedId, newId, UUID_PATTERN } from './ids';

describe('ids', () => {
  it('makes increasing UUIDv7s', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    for (const id of ids) expect(id).toMatch(UUID_PATTERN);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]![14]).toBe('7');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('derives the same id from the same inputs, sorting with the parent', () => {
    const parent = newId();
    const a = derivedId(parent, 'endpoint-1');
    expect(derivedId(parent, 'endpoint-1')).toBe(a);
    expect(derivedId(parent, 'endpoint-2')).not.toBe(a);
    expect(a.slice(0, 13)).toBe(parent.slice(0, 13));
    expect(a).toMatch(UUID_PATTERN);
  });
});
