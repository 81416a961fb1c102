import { exampleFromSchema } from './example';

describe('exampleFromSchema', () => {
  it('builds an object with every property, using the values the schema gives', () => {
    expect(
      exampleFromSchema({
        type: 'object',
        properties: {
          id: { type: 'string', examples: ['inv_1'] },
          amount: { type: 'integer', minimum: 1 },
          currency: { enum: ['EUR', 'USD'] },
          paid_at: { type: 'string', format: 'date-time' },
          lines: { type: 'array', items: { type: 'object', properties: { sku: { const: 'A' } } } },
          note: { type: ['string', 'null'] },
        },
      }),
    ).toEqual({
      id: 'inv_1',
      amount: 1,
      currency: 'EUR',
      paid_at: '2026-01-01T00:00:00Z',
      lines: [{ sku: 'A' }],
      note: 'string',
    });
  });

  it('takes the first variant of oneOf and merges allOf', () => {
    expect(exampleFromSchema({ oneOf: [{ type: 'boolean' }, { type: 'string' }] })).toBe(true);
    expect(
      exampleFromSchema({
        allOf: [{ properties: { a: { const: 1 } } }, { properties: { b: { const: 2 } } }],
      }),
    ).toEqual({ a: 1, b: 2 });
  });

  it('stops at a depth limit on self-similar schemas', () => {
    const deep: Record<string, unknown> = { type: 'object', properties: {} };
    let cursor = deep;
    for (let i = 0; i < 20; i += 1) {
      const next: Record<string, unknown> = { type: 'object', properties: {} };
      (cursor['properties'] as Record<string, unknown>)['child'] = next;
      cursor = next;
    }
    expect(JSON.stringify(exampleFromSchema(deep)).length).toBeLessThan(200);
  });
});
