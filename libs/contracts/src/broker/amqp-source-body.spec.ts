import { createSourceBodySchema, updateSourceBodySchema } from '../http/source.dto';
import { storedPubSubConfigSchema } from './source-config';

const amqp = {
  schema: 'amqp',
  host: 'rabbit.example.com',
  port: '5672',
  queue: 'orders',
  auth: { user: 'guest', password: 'guest' },
  bindedExchange: null,
  routingKey: '',
  vhost: null,
};

const problems = (body: unknown): string[] =>
  (createSourceBodySchema.safeParse(body).error?.issues ?? []).map(
    (issue) => `${issue.path.join('.')}: ${issue.message}`,
  );

describe('AMQP (RabbitMQ) source bodies', () => {
  it('accepts Convoy’s shape: the port as a string, null optional fields, other brokers null', () => {
    const body = createSourceBodySchema.parse({
      name: 'orders',
      type: 'pub_sub',
      pub_sub: { type: 'amqp', amqp, google: null, sqs: null },
    });
    expect(body).toMatchObject({
      type: 'pub_sub',
      pub_sub: {
        type: 'amqp',
        workers: 1,
        amqp: { schema: 'amqp', host: 'rabbit.example.com', port: 5672, queue: 'orders' },
      },
    });
    const parsed = body.type === 'pub_sub' ? body.pub_sub.amqp : undefined;
    expect(parsed?.bindedExchange).toBeUndefined();
    expect(parsed?.vhost).toBeUndefined();
    expect(parsed?.routingKey).toBe('');
  });

  it('takes a numeric port, IP hosts, no auth, an exchange binding and a vhost', () => {
    for (const host of ['10.0.0.5', '::1', '[fd00::1]', 'rabbit']) {
      expect(
        problems({
          name: 'x',
          type: 'pub_sub',
          pub_sub: {
            type: 'amqp',
            amqp: {
              schema: 'amqps',
              host,
              port: 5671,
              queue: 'q',
              bindedExchange: 'events',
              deadLetterExchange: 'events.dead',
              routingKey: 'orders.*',
              vhost: 'tenant-a',
            },
          },
        }),
      ).toEqual([]);
    }
  });

  it('names the wrong field', () => {
    const withAmqp = (patch: Record<string, unknown>) => ({
      name: 'x',
      type: 'pub_sub',
      pub_sub: { type: 'amqp', amqp: { ...amqp, ...patch } },
    });
    expect(problems({ name: 'x', type: 'pub_sub', pub_sub: { type: 'amqp' } })).toEqual([
      'pub_sub.amqp: is required when type is amqp',
    ]);
    expect(problems(withAmqp({ schema: 'http' }))).toEqual([
      'pub_sub.amqp.schema: must be amqp or amqps',
    ]);
    expect(problems(withAmqp({ port: '0' }))[0]).toMatch(/^pub_sub\.amqp\.port: /);
    expect(problems(withAmqp({ port: 'x' }))[0]).toMatch(/^pub_sub\.amqp\.port: /);
    for (const host of ['amqp://rabbit', 'rabbit:5672', 'user@rabbit', 'rab bit', ''])
      expect(problems(withAmqp({ host }))[0]).toMatch(/^pub_sub\.amqp\.host: /);
    expect(problems(withAmqp({ queue: '' }))[0]).toMatch(/^pub_sub\.amqp\.queue: /);
    expect(problems(withAmqp({ auth: { user: 'guest' } }))[0]).toMatch(
      /^pub_sub\.amqp\.auth\.password: /,
    );
  });

  it('updates without the password (the stored one is kept)', () => {
    const update = updateSourceBodySchema.parse({
      pub_sub: { type: 'amqp', amqp: { ...amqp, auth: { user: 'guest' } } },
    });
    expect(update.pub_sub?.amqp?.auth).toEqual({ user: 'guest' });
  });

  it('reads stored settings back with their defaults', () => {
    expect(
      storedPubSubConfigSchema.parse({
        type: 'amqp',
        workers: 1,
        amqp: { schema: 'amqp', host: 'h', port: 5672, queue: 'q' },
      }),
    ).toMatchObject({ amqp: { routingKey: '', vhost: '/' } });
  });
});
