import { compileEventSchema, InvalidSchemaError } from './event-schema';

describe('compileEventSchema', () => {
  const order = compileEventSchema({
    type: 'object',
    required: ['id', 'customer'],
    properties: {
      id: { type: 'string' },
      customer: {
        type: 'object',
        required: ['email'],
        properties: { email: { type: 'string' } },
      },
      items: { type: 'array', items: { type: 'object', properties: { qty: { type: 'integer' } } } },
    },
  });

  it('accepts data that conforms', () => {
    expect(order.check({ id: 'o1', customer: { email: 'a@b.c' } })).toBeNull();
  });

  it('names the path of a value of the wrong type', () => {
    expect(order.check({ id: 'o1', customer: { email: 'a@b.c' }, items: [{ qty: 1.5 }] })).toEqual({
      field: 'data.items.0.qty',
      message: 'must be integer',
    });
  });

  it('names a missing property by its own path', () => {
    expect(order.check({ id: 'o1', customer: {} })).toEqual({
      field: 'data.customer.email',
      message: 'is required',
    });
  });

  it('names data itself when the root does not match', () => {
    expect(order.check([1])?.field).toBe('data');
  });

  it('refuses a schema that is not valid JSON Schema', () => {
    expect(() => compileEventSchema({ type: 'no-such-type' })).toThrow(InvalidSchemaError);
  });

  it('compiles two schemas with the same $id independently', () => {
    const a = compileEventSchema({ $id: 'https://x/s', type: 'string' });
    const b = compileEventSchema({ $id: 'https://x/s', type: 'number' });
    expect([a.check('x'), b.check(1)]).toEqual([null, null]);
  });
});
