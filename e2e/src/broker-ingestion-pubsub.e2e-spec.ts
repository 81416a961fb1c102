import {
  eventually,
  FAKE_SERVICE_ACCOUNT,
  metricValue,
  PubsubTestTopic,
  startPubsubEmulator,
  waitForDeliveries,
} from '@flotilla/testing';
import { BrokerIngestionHarness, LOAD } from './support/broker-ingestion.harness';

jest.setTimeout(240_000);

const GCP_PROJECT = 'flotilla-e2e';

const googleSourceBody = (name: string, subscription: string, workers = 2) => ({
  name,
  type: 'pub_sub',
  pub_sub: {
    type: 'google',
    workers,
    google: {
      project_id: GCP_PROJECT,
      subscription_id: subscription,
      service_account: FAKE_SERVICE_ACCOUNT,
    },
    sqs: null,
  },
});

const broker = new BrokerIngestionHarness({
  name: 'pubsub',
  loadConcurrency: 200,
  startEmulator: () => startPubsubEmulator(),
  env: (emulator) => ({ PUBSUB_EMULATOR_HOST: emulator.host }),
  createChannel: (emulator, name, deadLetter?: PubsubTestTopic) =>
    PubsubTestTopic.create(emulator.host, GCP_PROJECT, name, {
      deadLetterTopic: deadLetter?.topic.name,
    }),
  send: (topic, messages, concurrency) => topic.publish(messages, concurrency),
  close: (topic) => topic.close(),
  sourceBody: (name, topic, workers) => googleSourceBody(name, topic.subscription, workers),
});

/**
 * Google Pub/Sub sources end to end: the sources API, the pubsub-ingester (two replicas sharing a
 * subscription, one killed with SIGKILL), the dispatcher and a webhook receiver, with producers
 * using @google-cloud/pubsub against the Pub/Sub emulator.
 */
describe('broker ingestion from Google Pub/Sub', () => {
  beforeAll(() => broker.setUp('pubsub ingestion'));
  afterAll(() => broker.tearDown());

  it('creates and shows a Google source without its service account key', async () => {
    const { project, sourcesPath } = broker;
    const created = await broker.createSourceFromBody(googleSourceBody('orders', 'api-only-sub'));
    expect(created.pub_sub).toEqual({
      type: 'google',
      workers: 2,
      google: {
        project_id: GCP_PROJECT,
        subscription_id: 'api-only-sub',
        service_account: '********',
        client_email: 'ingester@flotilla-local.iam.gserviceaccount.com',
      },
      sqs: null,
    });
    const shown = JSON.stringify(await project.api.get(`${sourcesPath}/${created.uid}`));
    expect(shown).not.toContain(FAKE_SERVICE_ACCOUNT);
    expect(shown).not.toContain('PRIVATE KEY');
    expect(await broker.storedCredentials(created)).not.toContain('PRIVATE KEY');
    // Changing settings without resending the key keeps the stored key.
    const updated = await project.api.request<{ pub_sub: { workers: number } }>(
      'PUT',
      `${sourcesPath}/${created.uid}`,
      {
        pub_sub: {
          type: 'google',
          workers: 3,
          google: { project_id: GCP_PROJECT, subscription_id: 'other-sub' },
        },
      },
    );
    expect(updated.status).toBe(202);
    expect(updated.body.data.pub_sub.workers).toBe(3);
    const notAKey = await project.api.post(sourcesPath, {
      ...googleSourceBody('bad', 'bad-sub'),
      pub_sub: {
        type: 'google',
        google: { project_id: GCP_PROJECT, subscription_id: 'bad-sub', service_account: 'eyJ9' },
      },
    });
    expect(notAKey.status).toBe(400);
    expect(notAKey.body.message).toContain('pub_sub.google.service_account');
    await broker.deleteSource(created);
  });

  it('starts ingesting a source created through the API within 10 s; single, fanout and broadcast reach the right endpoints', async () => {
    await broker.deleteSource(await broker.expectTargetsReachTheRightEndpoints());
  });

  it('lists invalid messages of each kind with the reason, dead-letters them, and valid messages behind them flow', async () => {
    const { deadLetter, source, bad, ids } = await broker.sendInvalidMessages('behind-invalid');
    const failures = await broker.listedFailures(
      `/api/v1/projects/${broker.project.projectId}/ingestfailures?sourceId=${source.uid}`,
      bad.length,
    );
    broker.expectListedWithTheirReasons(failures, bad, ids);
    await broker.expectCountedAndDeadLettered(source, bad.length);
    const deadLettered = await deadLetter.drain(2000);
    expect(
      deadLettered.map((message) => message.attributes['x-flotilla-ingest-failure']).sort(),
    ).toEqual(bad.map((message) => message.reason).sort());
    await broker.deleteSource(source);
  });

  it('stops pulling a deleted source; its messages stay in the subscription', async () => {
    const topic = await broker.channel('deleted');
    const source = await broker.createSource('deleted', topic, 1);
    await topic.publish([broker.single(0, 'ps-deleted')]);
    await waitForDeliveries(broker.receiver, 1, 15_000, 'ps-deleted');
    const ingester = broker.replicas[0]!;
    const running = () =>
      ingester.metrics().then((text) => metricValue(text, 'flotilla_ingester_sources_running'));
    const before = await running();
    await broker.deleteSource(source);
    await eventually(async () => {
      expect(await running()).toBe(before - 1);
    }, 12_000);
    await topic.publish([broker.single(1, 'ps-deleted')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(
      await broker.scrape(ingester, 'flotilla_ingester_messages_received_total', source.uid),
    ).toBe(1);
    const left = await topic.drain(2000);
    expect(
      left.map(
        (message) => (JSON.parse(message.data.toString()) as { data: { seq: number } }).data.seq,
      ),
    ).toEqual([1]);
  });

  it(`delivers all ${LOAD} messages with two replicas sharing the subscription, one killed with SIGKILL and restarted midway: 0 lost`, async () => {
    await broker.expectNoLossWhenAReplicaIsKilled(
      ({ publishedMs }) => `publish ${Math.round(LOAD / (publishedMs / 1000))} msg/s`,
    );
  });

  it('holds messages un-acked while Kafka is down for 20 s, and delivers them all when it returns', async () => {
    const outage = await broker.expectHeldWhileKafkaIsDown(async (_topic, source) => {
      const held = await broker.sum('flotilla_ingester_messages_in_flight', source.uid);
      return { figure: `held un-acked while down ${held}`, held };
    });
    expect(outage.held).toBeGreaterThan(0);
  });
});
