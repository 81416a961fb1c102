import {
  eventually,
  metricValue,
  SQS_TEST_CREDENTIALS,
  SqsTestQueue,
  startSqsEmulator,
  tallyDeliveries,
  waitForDeliveries,
} from '@flotilla/testing';
import { BrokerIngestionHarness, LOAD } from './support/broker-ingestion.harness';

jest.setTimeout(240_000);

const sqsSourceBody = (name: string, queue: string, workers = 4) => ({
  name,
  type: 'pub_sub',
  pub_sub: {
    type: 'sqs',
    workers,
    sqs: {
      queue_name: queue,
      default_region: 'us-east-1',
      access_key_id: SQS_TEST_CREDENTIALS.accessKeyId,
      secret_key: SQS_TEST_CREDENTIALS.secretAccessKey,
    },
    google: null,
  },
});

const broker = new BrokerIngestionHarness({
  name: 'sqs',
  loadConcurrency: 8,
  startEmulator: () => startSqsEmulator(),
  env: (emulator) => ({
    AWS_ENDPOINT_URL_SQS: emulator.endpoint,
    SQS_VISIBILITY_TIMEOUT_SECONDS: '10',
    // The emulator answers a long poll only once it has 10 messages or its wait is over (SQS
    // answers as soon as it has any), so short polls keep partial batches from waiting 20 s.
    SQS_WAIT_TIME_SECONDS: '1',
  }),
  async createChannel(emulator, name, deadLetter?: SqsTestQueue) {
    const redrive = deadLetter && {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: await deadLetter.arn(),
        maxReceiveCount: 5,
      }),
    };
    return SqsTestQueue.create(emulator.endpoint, name, redrive);
  },
  send: (queue, messages, concurrency) => queue.send(messages, concurrency),
  close: (queue) => {
    queue.close();
    return Promise.resolve();
  },
  sourceBody: (name, queue, workers) => sqsSourceBody(name, queue.name, workers),
});

/**
 * Amazon SQS sources end to end: the sources API, the sqs-ingester (two replicas, one killed with
 * SIGKILL), the dispatcher and a webhook receiver, with producers using @aws-sdk/client-sqs against
 * the SQS emulator.
 */
describe('broker ingestion from Amazon SQS', () => {
  beforeAll(() => broker.setUp('sqs ingestion'));
  afterAll(() => broker.tearDown());

  const scrape = broker.scrape.bind(broker);

  it('creates, shows, updates and lists sources, never returning their secrets', async () => {
    const { project, sourcesPath } = broker;
    const created = await broker.createSourceFromBody(sqsSourceBody('orders', 'api-only-queue'));
    expect(created.pub_sub).toEqual({
      type: 'sqs',
      workers: 4,
      sqs: {
        queue_name: 'api-only-queue',
        default_region: 'us-east-1',
        endpoint: '',
        access_key_id: '********0001',
        secret_key: '********',
      },
      google: null,
    });
    const shown = JSON.stringify(await project.api.get(`${sourcesPath}/${created.uid}`));
    expect(shown).not.toContain(SQS_TEST_CREDENTIALS.secretAccessKey);
    expect(shown).not.toContain(SQS_TEST_CREDENTIALS.accessKeyId);
    // At rest the credentials are ciphertext.
    expect(await broker.storedCredentials(created)).not.toContain(
      SQS_TEST_CREDENTIALS.secretAccessKey,
    );

    const renamed = await project.api.request<{ name: string; is_disabled: boolean }>(
      'PUT',
      `${sourcesPath}/${created.uid}`,
      { name: 'orders-renamed', is_disabled: true },
    );
    expect(renamed.status).toBe(202);
    expect(renamed.body.data).toMatchObject({ name: 'orders-renamed', is_disabled: true });
    const list = await project.api.get<{ content: { uid: string }[] }>(sourcesPath);
    expect(list.body.data.content.map((source) => source.uid)).toContain(created.uid);

    const invalid = await project.api.post(sourcesPath, {
      name: 'x',
      type: 'pub_sub',
      pub_sub: { type: 'google' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('pub_sub.google: is required when type is google');

    // The ingester would connect to a source's own endpoint: the egress policy applies.
    const metadata = sqsSourceBody('metadata', 'q');
    const ssrf = await project.api.post(sourcesPath, {
      ...metadata,
      pub_sub: {
        ...metadata.pub_sub,
        sqs: { ...metadata.pub_sub.sqs, endpoint: 'http://169.254.169.254/' },
      },
    });
    expect(ssrf.status).toBe(400);
    expect(ssrf.body.data).toMatchObject({ field: 'pub_sub.sqs.endpoint' });

    const deleted = await project.api.request('DELETE', `${sourcesPath}/${created.uid}`);
    expect(deleted.status).toBe(200);
    expect((await project.api.get(`${sourcesPath}/${created.uid}`)).status).toBe(404);
  });

  it('starts ingesting a source created through the API within 10 s; single, fanout and broadcast reach the right endpoints', async () => {
    await broker.expectTargetsReachTheRightEndpoints();
  });

  it('lists invalid messages of each kind with the reason; valid messages behind them flow, and the queue empties', async () => {
    const { channel, deadLetter, source, bad, ids, unknownEndpoint } =
      await broker.sendInvalidMessages('behind-invalid');
    const failures = await broker.listedFailures(
      `${broker.sourcesPath}/${source.uid}/failures`,
      bad.length,
    );
    broker.expectListedWithTheirReasons(failures, bad, ids);
    const tooLarge = failures.find((failure) => failure.reason === 'too_large')!;
    expect(tooLarge.payload.length).toBeLessThanOrEqual(8192);
    expect(failures.find((failure) => failure.reason === 'endpoint_not_found')!.detail).toContain(
      unknownEndpoint,
    );
    const byReason = await broker.project.api.get<{ content: unknown[] }>(
      `/api/v1/projects/${broker.project.projectId}/ingestfailures?reason=malformed_json&sourceId=${source.uid}`,
    );
    expect(byReason.body.data.content).toHaveLength(1);

    await broker.expectCountedAndDeadLettered(source, bad.length, async () => {
      expect(await channel.depth()).toEqual({ visible: 0, inFlight: 0 });
      expect((await deadLetter.depth()).visible).toBe(bad.length);
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
    }, 12_000);
    await queue.send([broker.single(1, 'lifecycle')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await received()).toBe(1);
    expect((await queue.depth()).visible).toBe(1);

    await project.api.request('PUT', path, { is_disabled: false });
    expect((await waitForDeliveries(receiver, 2, 15_000, 'lifecycle')).missing).toEqual([]);

    await project.api.request('DELETE', path);
    await eventually(async () => {
      expect(await running()).toBe(before - 1);
    }, 12_000);
    await queue.send([broker.single(2, 'lifecycle')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await queue.depth()).visible).toBe(1);
    expect(tallyDeliveries(receiver, 3, 'lifecycle').missing).toEqual([2]);
  });

  it(`delivers all ${LOAD} messages with two replicas, one killed with SIGKILL and restarted midway: 0 lost`, async () => {
    const queue = await broker.expectNoLossWhenAReplicaIsKilled(
      ({ publishedMs, rate, deliveredMs }) =>
        `published in ${publishedMs} ms (${rate} msg/s), all delivered after ${deliveredMs} ms`,
    );
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('holds messages un-acked while Kafka is down for 20 s, and delivers them all when it returns', async () => {
    const outage = await broker.expectHeldWhileKafkaIsDown(async (queue) => {
      const depth = await queue.depth();
      return {
        figure: `queue while down ${depth.visible} visible + ${depth.inFlight} held`,
        held: depth,
      };
    });
    // (The emulator's visible count includes the held messages.)
    expect(outage.held.visible + outage.held.inFlight).toBeGreaterThanOrEqual(outage.sentWhileDown);
    await eventually(async () => {
      expect(await outage.channel.depth()).toEqual({ visible: 0, inFlight: 0 });
    }, 15_000);
  });
});
