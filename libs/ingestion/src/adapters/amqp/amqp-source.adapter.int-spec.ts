import { createSecureContext, createServer, type Server } from 'node:tls';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { EgressPolicy, EgressRefusedError } from '@flotilla/egress';
// Test-only: the queue helper (the integration tier runs against the local RabbitMQ server).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { AMQP_TEST_SERVER, AmqpTestQueue, makeTestCertificates } from '@flotilla/testing';
import type { BrokerMessage, ResolvedAmqpSource } from '../../broker/broker-source.adapter';
import * as kit from '../adapter-test.kit';
import { AmqpSourceAdapter } from './amqp-source.adapter';

jest.setTimeout(60_000);

describe('AmqpSourceAdapter against the local RabbitMQ server', () => {
  const queues: AmqpTestQueue[] = [];

  afterAll(async () => {
    for (const queue of queues) await queue.close();
  });

  const adapter = (prefetchPerWorker = 50, allow = ['127.0.0.1/32']) =>
    new AmqpSourceAdapter({
      prefetchPerWorker,
      heartbeatSeconds: 10,
      drainMs: 1000,
      egress: new EgressPolicy(allow),
      // Test host names: rabbit.test is the server, internal.test an address the policy refuses.
      resolve: (hostname) =>
        Promise.resolve(
          hostname === 'rabbit.test'
            ? [{ address: '127.0.0.1', family: 4 }]
            : hostname === 'internal.test'
              ? [{ address: '127.0.0.2', family: 4 }]
              : [],
        ),
      logger: pino({ level: 'silent' }),
    });

  const source = (
    queue: string,
    workers = 2,
    patch: Partial<ResolvedAmqpSource['amqp']> = {},
  ): ResolvedAmqpSource => ({
    broker: 'amqp',
    ...kit.TEST_SOURCE,
    workers,
    amqp: {
      schema: 'amqp',
      host: 'rabbit.test',
      port: AMQP_TEST_SERVER.port,
      vhost: '/',
      queue,
      auth: { user: AMQP_TEST_SERVER.user, password: AMQP_TEST_SERVER.password },
      bindedExchange: undefined,
      routingKey: '',
      deadLetterExchange: undefined,
      ...patch,
    },
  });

  async function queue(name: string, deadLetter?: AmqpTestQueue): Promise<AmqpTestQueue> {
    const created = await AmqpTestQueue.create(name, deadLetter);
    queues.push(created);
    return created;
  }

  it('consumes with several workers, with the message-id, headers and publish time, and acks what was acked', async () => {
    const q = await queue('adapter-acks');
    const ids = await q.send(kit.numberedBroadcasts(300));
    const { handler, seen, batchSizes } = kit.ackEverything();
    const { state, value } = kit.recordingHooks();
    const running = await adapter().start(source(q.name, 3), handler, value);
    await kit.until(() => state.acked === 300, 15_000);
    await running.stop();
    expect(new Set(seen.map((message) => message.id))).toEqual(new Set(ids));
    kit.expectBroadcastMetadata(seen);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(50);
    expect(await q.depth()).toEqual({ ready: 0, consumers: 0 });
  });

  it('rejects invalid messages to the dead-letter exchange and requeues what it gives back', async () => {
    const dead = await queue('adapter-dead');
    const q = await queue('adapter-invalid', dead);
    await q.send([{ body: 'not json' }, { body: 'give back' }]);
    const { handler, releases } = kit.rejectOneReleaseOnce();
    const { state, value } = kit.recordingHooks();
    const running = await adapter().start(source(q.name, 1), handler, value);
    await kit.until(() => state.acked === 2 && releases() === 2, 15_000);
    await running.stop();
    expect(state.deadLettered).toBe(1);
    expect((await q.depth()).ready).toBe(0);
    expect((await dead.take())?.body).toBe('not json');
  });

  it('publishes invalid messages to the source deadLetterExchange with the reason, then acks them', async () => {
    const dead = await queue('adapter-dlx-target');
    const q = await queue('adapter-dlx');
    // amq.direct routes by queue name: the dead letter keeps the original routing key (q.name).
    const { connect } = await import('amqplib');
    const connection = await connect(`amqp://guest:guest@127.0.0.1:${AMQP_TEST_SERVER.port}`);
    const setup = await connection.createChannel();
    await setup.bindQueue(dead.name, 'amq.direct', q.name);
    await connection.close();
    await q.send([{ body: 'not json', attributes: { kept: 'yes' } }, { body: 'give back' }]);
    const { handler, releases } = kit.rejectOneReleaseOnce();
    const { state, value } = kit.recordingHooks();
    const running = await adapter().start(
      source(q.name, 1, { deadLetterExchange: 'amq.direct' }),
      handler,
      value,
    );
    await kit.until(() => state.acked === 2 && releases() === 2, 15_000);
    await running.stop();
    expect(state.deadLettered).toBe(1);
    expect((await q.depth()).ready).toBe(0);
    const copy = await dead.take();
    expect(copy?.body).toBe('not json');
    expect(copy?.headers).toMatchObject({
      kept: 'yes',
      'x-flotilla-ingest-failure': 'malformed_json',
      'x-flotilla-source': kit.TEST_SOURCE.id,
    });
  });

  it('stops at the prefetch while the handler holds messages, and gives them back on stop', async () => {
    const q = await queue('adapter-held');
    await q.send(kit.numberedBroadcasts(30));
    const { handler, calls } = kit.holdUntilAborted();
    const held: BrokerMessage[] = [];
    const { value } = kit.recordingHooks();
    const running = await adapter(10).start(
      source(q.name, 1),
      (messages, signal) => {
        held.push(...messages);
        return handler(messages, signal);
      },
      value,
    );
    await kit.until(() => calls() >= 1 && held.length === 10, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(held).toHaveLength(10);
    expect((await q.depth()).ready).toBe(20);
    await running.stop();
    await kit.until(async () => (await q.depth()).ready === 30, 5000);
    expect(await q.depth()).toEqual({ ready: 30, consumers: 0 });
  });

  it('redelivers what a consumer had not acked when its connection dies, with the same ids', async () => {
    const q = await queue('adapter-crash');
    const ids = await q.send(kit.numberedBroadcasts(5));
    const first: string[] = [];
    const { value: hooks } = kit.recordingHooks();
    // Never settles: as if the process died before Kafka acked.
    const stuck = await adapter().start(
      source(q.name, 1),
      (messages) => {
        first.push(...messages.map((message) => message.id));
        return new Promise(() => undefined);
      },
      hooks,
    );
    await kit.until(() => first.length === 5, 10_000);
    const { handler, seen } = kit.ackEverything();
    const { state, value } = kit.recordingHooks();
    const second = await adapter().start(source(q.name, 1), handler, value);
    // The first consumer's connection goes away without acking (what a SIGKILL does).
    await (stuck as unknown as { model: { close(): Promise<void> } }).model.close();
    await kit.until(() => state.acked === 5, 10_000);
    await second.stop();
    expect(seen.map((message) => message.id).sort()).toEqual([...ids].sort());
  });

  it('binds the queue to bindedExchange with routingKey', async () => {
    const q = await queue('adapter-bound');
    const { handler } = kit.ackEverything();
    const { value } = kit.recordingHooks();
    const running = await adapter().start(
      source(q.name, 1, { bindedExchange: 'amq.topic', routingKey: `${q.name}.#` }),
      handler,
      value,
    );
    await running.stop();
    // A message published to the exchange with a matching key lands in the queue.
    const { connect } = await import('amqplib');
    const connection = await connect(`amqp://guest:guest@127.0.0.1:${AMQP_TEST_SERVER.port}`);
    const channel = await connection.createConfirmChannel();
    channel.publish('amq.topic', `${q.name}.created`, Buffer.from('{}'));
    await channel.waitForConfirms();
    await connection.close();
    await kit.until(async () => (await q.depth()).ready === 1, 5000);
  });

  it('refuses to start a source whose queue does not exist, or with wrong credentials', async () => {
    const { value } = kit.recordingHooks();
    await expect(
      adapter().start(source('flotilla-test-no-such-queue'), () => Promise.resolve([]), value),
    ).rejects.toThrow(/NOT_FOUND|404/);
    await expect(
      adapter().start(
        source('q', 1, { auth: { user: 'guest', password: 'wrong' } }),
        () => Promise.resolve([]),
        value,
      ),
    ).rejects.toThrow(/ACCESS_REFUSED|403|auth/i);
  });

  it('amqps: connects to the checked address with the host name as SNI (so the certificate is checked for the name)', async () => {
    const certificates = makeTestCertificates('127.0.0.1');
    const names: string[] = [];
    const context = createSecureContext({
      cert: certificates.pem(certificates.serverCertFile),
      key: certificates.pem(certificates.serverKeyFile),
    });
    const server: Server = createServer({
      SNICallback: (servername, callback) => {
        names.push(servername);
        callback(null, context);
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { value } = kit.recordingHooks();
      // The test CA is not trusted, and the certificate names 127.0.0.1, not rabbit.test: refused.
      await expect(
        adapter().start(
          source('q', 1, { schema: 'amqps', port: (server.address() as AddressInfo).port }),
          () => Promise.resolve([]),
          value,
        ),
      ).rejects.toThrow(/certificate|self.signed|altnames/i);
      expect(names).toEqual(['rabbit.test']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      certificates.remove();
    }
  });

  it('never connects to a host resolving to an address the egress policy refuses', async () => {
    const { value } = kit.recordingHooks();
    await expect(
      adapter().start(source('q', 1, { host: 'internal.test' }), () => Promise.resolve([]), value),
    ).rejects.toBeInstanceOf(EgressRefusedError);
    await expect(
      adapter().start(source('q', 1, { host: '127.0.0.2' }), () => Promise.resolve([]), value),
    ).rejects.toThrow(/refusing to connect to 127\.0\.0\.2/);
  });
});
