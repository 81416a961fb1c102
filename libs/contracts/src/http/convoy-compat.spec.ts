import { createEndpointBodySchema, updateEndpointBodySchema } from './endpoint.dto';
import { createDynamicEventBodySchema, createEventBodySchema } from './event.dto';

const endpoint = { name: 'e', url: 'https://example.com/hook' };

describe('Convoy request shapes accepted unchanged', () => {
  it.each([
    [10, 10],
    ['10s', 10],
    ['2m', 120],
  ])('http_timeout %j is %d seconds', (given, seconds) => {
    expect(createEndpointBodySchema.parse({ ...endpoint, http_timeout: given }).http_timeout).toBe(
      seconds,
    );
    expect(updateEndpointBodySchema.parse({ http_timeout: given }).http_timeout).toBe(seconds);
  });

  it('takes rate_limit_duration as "1m" and defaults http_timeout to 10 s', () => {
    const parsed = createEndpointBodySchema.parse({ ...endpoint, rate_limit_duration: '1m' });
    expect(parsed).toMatchObject({ rate_limit_duration: 60, http_timeout: 10 });
  });

  it.each(['10', '10d', '1.5s', '0s', '6m'])(
    'refuses http_timeout %j, naming the field',
    (given) => {
      const result = createEndpointBodySchema.safeParse({ ...endpoint, http_timeout: given });
      expect(result.success).toBe(false);
      expect(result.error?.issues[0]?.path).toEqual(['http_timeout']);
    },
  );

  it('treats an empty idempotency_key as no key', () => {
    const single = createEventBodySchema.parse({
      endpoint_id: 'e1',
      event_type: 't',
      data: {},
      idempotency_key: '',
    });
    expect(single.idempotency_key).toBeUndefined();
    const dynamic = createDynamicEventBodySchema.parse({
      url: 'https://example.com/hook',
      event_type: 't',
      data: {},
      idempotency_key: '',
    });
    expect(dynamic.idempotency_key).toBeUndefined();
    expect(
      createEventBodySchema.parse({
        endpoint_id: 'e1',
        event_type: 't',
        data: {},
        idempotency_key: 'k',
      }).idempotency_key,
    ).toBe('k');
  });
});
