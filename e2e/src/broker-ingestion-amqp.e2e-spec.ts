import {
  AMQP_TEST_SERVER,
  AmqpTestQueue,
  eventually,
  metricValue,
  tallyDeliveries,
  waitForDeliveries,
} from '@flotilla/testing';
import { BrokerIngestionHarness, LOAD } from './support/broker-ingestion.harness';

jest.setTimeout(240_000);

/** The prefetch per worker the ingester runs with (what it may hold while Kafka is down). */
const PREFETCH = 100;

const amqpSourceBody = (name: string, queue: string, workers = 4) => ({
  name,
  type: 'pub_sub',
  pub_sub: {
    type: 'amqp',
    workers,
    amqp: {
      schema: 'amqp',
      host: AMQP_TEST_SERVER.host,
      // Convoy sends the port as a string.
      port: String(AMQP_TEST_SERVER.port),
      queue,
      auth: { user: AMQP_TEST_SERVER.user, password: AMQP_TEST_SERVER.password },
      bindedExchange: null,
      routingKey: '',
      vhost: AMQP_TEST_SERVER.vhost,
    },
    google: null,
    sqs: null,
  },
});

// No emulator: the RabbitMQ server of the machine, with a uniquely named queue per channel.
const broker = new BrokerIngestionHarness({
  name: 'amqp',
  loadConcurrency: 8,
  startEmulator: () => Promise.resolve({ stop: () => Promise.resolve() }),
  env: () => ({ AMQP_PREFETCH_PER_WORKER: String(PREFETCH) }),
  createChannel: (_server, name, deadLetter?: AmqpTestQueue) =>
    AmqpTestQueue.create(name, deadLetter),
  send: (queue, messages, concurrency) => queue.send(messages, concurrency),
  close: (queue) => queue.close(),
  sourceBody: (name, queue, workers) => amqpSourceBody(name, queue.name, workers),
});

/**
 * RabbitMQ (AMQP 0-9-1) sources end to end: the sources API, the amqp-ingester (two replicas, one
 * killed with SIGKILL), the dispatcher and a webhook receiver, with producers using amqplib against
 * the RabbitMQ server on this machine.
 */
describe('broker ingestion from RabbitMQ (AMQP)', () => {
  beforeAll(() => broker.setUp('amqp ingestion'));
  afterAll(() => broker.tearDown());

  const scrape = broker.scrape.bind(broker);

  it('creates, shows, updates and lists sources in Convoy’s shape, never returning the password', async () => {
    const { project, sourcesPath } = broker;
    const created = await broker.createSourceFromBody(amqpSourceBody('orders', 'api-only-queue'));
    expect(created.pub_sub).toEqual({
      type: 'amqp',
      workers: 4,
      amqp: {
        schema: 'amqp',
        host: AMQP_TEST_SERVER.host,
        port: String(AMQP_TEST_SERVER.port),
        queue: 'api-only-queue',
        auth: { user: AMQP_TEST_SERVER.user, password: '********' },
        bindedExchange: null,
        deadLetterExchange: null,
        routingKey: '',
        vhost: '/',
      },
      google: null,
      sqs: null,
    });
    const secret = 'a-very-secret-amqp-password';
    const withSecret = amqpSourceBody('secret', 'q');
    const updated = await project.api.request<{ pub_sub: unknown }>(
      'PUT',
      `${sourcesPath}/${created.uid}`,
      {
        pub_sub: {
          ...withSecret.pub_sub,
          amqp: { ...withSecret.pub_sub.amqp, auth: { user: 'app', password: secret } },
        },
      },
    );
    expect(updated.status).toBe(202);
    const shown = JSON.stringify(await project.api.get(`${sourcesPath}/${created.uid}`));
    expect(shown).not.toContain(secret);
    expect(shown).toContain('"user":"app"');
    // At rest the password is ciphertext.
    expect(await broker.storedCredentials(created)).not.toContain(secret);
    // Leaving the password out keeps the stored one.
    const kept = await project.api.request('PUT', `${sourcesPath}/${created.uid}`, {
      pub_sub: {
        ...withSecret.pub_sub,
        amqp: { ...withSecret.pub_sub.amqp, auth: { user: 'app' } },
      },
    });
    expect(kept.status).toBe(202);

    const list = await project.api.get<{ content: { uid: string }[] }>(sourcesPath);
    expect(list.body.data.content.map((source) => source.uid)).toContain(created.uid);

    const body = amqpSourceBody('bad', 'q');
    const bad = async (amqp: Record<string, unknown>) =>
      project.api.post(sourcesPath, {
        ...body,
        pub_sub: { ...body.pub_sub, amqp: { ...body.pub_sub.amqp, ...amqp } },
      });
    const badPort = await bad({ port: '70000' });
    expect(badPort.status).toBe(400);
    expect(badPort.body.message).toContain('pub_sub.amqp.port');
    const badSchema = await bad({ schema: 'http' });
    expect(badSchema.status).toBe(400);
    expect(badSchema.body.message).toContain('pub_sub.amqp.schema: must be amqp or amqps');
    // The ingester would connect to the host: the egress policy applies.
    const metadata = await bad({ host: '169.254.169.254' });
    expect(metadata.status).toBe(400);
    expect(metadata.body.data).toMatchObject({ field: 'pub_sub.amqp.host' });

    const deleted = await project.api.request('DELETE', `${sourcesPath}/${created.uid}`);
    expect(deleted.status).toBe(200);
  });

  it('starts ingesting a source created through the API within 10 s; single, fanout and broadcast reach the right endpoints', async () => {
    await broker.expectTargetsReachTheRightEndpoints();
  });

  it('lists invalid messages of each kind with the reason, dead-letters them; valid messages behind them flow', async () => {
    const { channel, deadLetter, source, bad, ids } =
      await broker.sendInvalidMessages('behind-invalid');
    const failures = await broker.listedFailures(
      `${broker.sourcesPath}/${source.uid}/failures`,
      bad.length,
    );
    broker.expectListedWithTheirReasons(failures, bad, ids);
    await broker.expectCountedAndDeadLettered(source, bad.length, async () => {
      expect((await channel.depth()).ready).toBe(0);
      expect((await deadLetter.depth()).ready).toBe(bad.length);
    });
  });

  it('stops a paused source, resumes it, and stops it for good when deleted', async () => {
    const { project, receiver } = broker;
    const queue = await broker.channel('lifecycle');
    const source = await broker.createSource('lifecycle', queue, 1);
    const ingester = broker.replicas[0]!;
    const running = () =>
      ingester.metrics().then((text) => metricValue(text, 'flotilla_ingester_sources_running'));
    const received = () =>
      scrape(ingester, 'flotilla_ingester_messages_received_total', source.uid);
    await queue.send([broker.single(0, 'lifecycle')]);
    await waitForDeliveries(receiver, 1, 15_000, 'lifecycle');

    const path = `${broker.sourcesPath}/${source.uid}`;
    const before = await running();
    await project.api.request('PUT', path, { is_disabled: true });
    await eventually(async () => {
      expect(await running()).toBe(before - 1);
      expect((await queue.depth()).consumers).toBe(0);
    }, 12_000);
    await queue.send([broker.single(1, 'lifecycle')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await received()).toBe(1);
    expect((await queue.depth()).ready).toBe(1);

    await project.api.request('PUT', path, { is_disabled: false });
    expect((await waitForDeliveries(receiver, 2, 15_000, 'lifecycle')).missing).toEqual([]);

    await project.api.request('DELETE', path);
    await eventually(async () => {
      expect(await running()).toBe(before - 1);
      expect((await queue.depth()).consumers).toBe(0);
    }, 12_000);
    await queue.send([broker.single(2, 'lifecycle')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await queue.depth()).ready).toBe(1);
    expect(tallyDeliveries(receiver, 3, 'lifecycle').missing).toEqual([2]);
  });

  it(`delivers all ${LOAD} messages with two replicas, one killed with SIGKILL and restarted midway: 0 lost`, async () => {
    const queue = await broker.expectNoLossWhenAReplicaIsKilled(
      ({ publishedMs, rate, deliveredMs }) =>
        `published in ${publishedMs} ms (${rate} msg/s), all delivered after ${deliveredMs} ms`,
    );
    await eventually(async () => {
      expect((await queue.depth()).ready).toBe(0);
    }, 15_000);
  });

  it('holds messages un-acked (at most the prefetch) while Kafka is down for 20 s, and delivers them all when it returns', async () => {
    const outage = await broker.expectHeldWhileKafkaIsDown(async (queue) => {
      const depth = await queue.depth();
      return { figure: `queue while down ${depth.ready} ready`, held: depth };
    });
    // What the replicas hold un-acked is bounded by their prefetch; the rest waits in the queue.
    const workers = 4;
    expect(outage.held.ready).toBeGreaterThanOrEqual(
      outage.sentWhileDown - broker.replicas.length * workers * PREFETCH,
    );
    await eventually(async () => {
      expect((await outage.channel.depth()).ready).toBe(0);
    }, 15_000);
  });
});
