import { type Message } from '@google-cloud/pubsub';
import { Client } from 'pg';
import {
  convoyMessage,
  createEndpoint,
  createProject,
  createSource,
  createSubscription,
  eventually,
  FAKE_SERVICE_ACCOUNT,
  metricValue,
  PubsubTestTopic,
  startPubsubEmulator,
  startTestStack,
  stopAll,
  tallyDeliveries,
  waitForDeliveries,
  WebhookReceiver,
  type DemoProject,
  type ProducedMessage,
  type PubsubEmulatorHandle,
  type ServiceProcess,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(240_000);

const GCP_PROJECT = 'flotilla-e2e';
const MAX_BYTES = 16 * 1024;
const LOAD = 10_000;

/**
 * Google Pub/Sub sources end to end: the sources API, the pubsub-ingester (two replicas sharing a
 * subscription, one killed with SIGKILL), the dispatcher and a webhook receiver, with producers
 * using @google-cloud/pubsub against the Pub/Sub emulator.
 */
describe('broker ingestion from Google Pub/Sub', () => {
  let emulator: PubsubEmulatorHandle;
  let stack: TestStack;
  let project: DemoProject;
  let receiver: WebhookReceiver;
  let db: Client | undefined;
  /** The running pubsub-ingester replicas. */
  const replicas: ServiceProcess[] = [];
  const topics: PubsubTestTopic[] = [];
  const endpoints: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

  beforeAll(async () => {
    emulator = await startPubsubEmulator();
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler', 'pubsub-ingester'], {
      PUBSUB_EMULATOR_HOST: emulator.host,
      INGEST_MAX_MESSAGE_BYTES: String(MAX_BYTES),
      LOG_LEVEL: process.env['FLOTILLA_TEST_LOG_LEVEL'] ?? 'warn',
    });
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'pubsub ingestion');
    // a and b belong to owner o1, c to o2; every endpoint subscribes to everything.
    for (const [name, owner] of [
      ['a', 'o1'],
      ['b', 'o1'],
      ['c', 'o2'],
    ] as const) {
      const endpoint = await createEndpoint(project, {
        name,
        url: `${receiver.url}?endpoint=${name}`,
        owner_id: owner,
      });
      endpoints[name] = endpoint.uid;
      await createSubscription(project, { name: `all-${name}`, endpoint_id: endpoint.uid });
    }
    replicas.push(stack.service('pubsub-ingester'));
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    for (const topic of topics) await topic.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    await stopAll(receiver, stack, emulator);
  });

  async function newTopic(name: string, deadLetterTopic?: string): Promise<PubsubTestTopic> {
    const topic = await PubsubTestTopic.create(emulator.host, GCP_PROJECT, name, {
      deadLetterTopic,
    });
    topics.push(topic);
    return topic;
  }

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

  const sourcesPath = () => `/api/v1/projects/${project.projectId}/sources`;
  // Spread over the three endpoints: the dispatcher bounds deliveries in flight per endpoint.
  const single = (
    seq: number,
    run: string,
    endpoint = [endpoints.a, endpoints.b, endpoints.c][seq % 3]!,
  ): ProducedMessage => ({
    body: convoyMessage({ endpoint_id: endpoint, event_type: 'load.test', data: { seq, run } }),
  });
  const scrape = (service: ServiceProcess, name: string, source: string): Promise<number> =>
    service.metrics().then((text) => metricValue(text, name, { source }));

  /** What a fresh subscriber of `subscription` gets within `ms` (acked). */
  async function pull(topic: PubsubTestTopic, ms: number): Promise<Message[]> {
    const received: Message[] = [];
    const subscriber = topic.pubsub.subscription(topic.subscription);
    subscriber.on('message', (message: Message) => {
      received.push(message);
      message.ack();
    });
    await new Promise((resolve) => setTimeout(resolve, ms));
    await subscriber.close();
    return received;
  }

  it('creates and shows a Google source without its service account key', async () => {
    const created = await createSource(project, googleSourceBody('orders', 'api-only-sub'));
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
    const shown = JSON.stringify(await project.api.get(`${sourcesPath()}/${created.uid}`));
    expect(shown).not.toContain(FAKE_SERVICE_ACCOUNT);
    expect(shown).not.toContain('PRIVATE KEY');
    const { rows } = await db!.query<{ credentials: Buffer }>(
      'SELECT credentials FROM sources WHERE id = $1',
      [created.uid],
    );
    expect(rows[0]!.credentials.toString('latin1')).not.toContain('PRIVATE KEY');
    // Changing settings without resending the key keeps the stored key.
    const updated = await project.api.request<{ pub_sub: { workers: number } }>(
      'PUT',
      `${sourcesPath()}/${created.uid}`,
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
    const notAKey = await project.api.post(sourcesPath(), {
      ...googleSourceBody('bad', 'bad-sub'),
      pub_sub: {
        type: 'google',
        google: { project_id: GCP_PROJECT, subscription_id: 'bad-sub', service_account: 'eyJ9' },
      },
    });
    expect(notAKey.status).toBe(400);
    expect(notAKey.body.message).toContain('pub_sub.google.service_account');
    await project.api.request('DELETE', `${sourcesPath()}/${created.uid}`);
  });

  it('starts ingesting a source created through the API within 10 s; single, fanout and broadcast reach the right endpoints', async () => {
    const topic = await newTopic('targets');
    const createdAt = Date.now();
    const source = await createSource(project, googleSourceBody('targets', topic.subscription));
    const [first] = await topic.publish([single(0, 'targets')]);
    const event = await eventually(
      async () => {
        const page = await project.api.get<{
          content: { uid: string; source_id: string; broker_message_id: string }[];
        }>(`/api/v1/projects/${project.projectId}/events?brokerMessageId=${first}`);
        if (page.body.data.content.length !== 1) throw new Error('not ingested yet');
        return page.body.data.content[0]!;
      },
      15_000,
      100,
    );
    const startedWithin = Date.now() - createdAt;
    process.stdout.write(
      `pubsub: a source created through the API ingested its first message after ${startedWithin} ms\n`,
    );
    expect(startedWithin).toBeLessThan(10_000);
    expect(event).toMatchObject({ source_id: source.uid, broker_message_id: first });

    await topic.publish([
      {
        body: convoyMessage({ owner_id: 'o1', event_type: 'fan', data: { kind: 'ps-fanout' } }),
        attributes: { 'x-convoy-message-type': 'fanout' },
      },
      {
        body: convoyMessage({ event_type: 'all', data: { kind: 'ps-broadcast' } }),
        attributes: { 'x-convoy-message-type': 'broadcast' },
      },
    ]);
    const who = (kind: string): string[] =>
      receiver.requests
        .filter((request) => (JSON.parse(request.body) as { kind?: string }).kind === kind)
        .map((request) => new URL(request.path, 'http://x').searchParams.get('endpoint') ?? '')
        .sort();
    await eventually(() => {
      expect(who('ps-fanout')).toEqual(['a', 'b']);
      expect(who('ps-broadcast')).toEqual(['a', 'b', 'c']);
      return Promise.resolve();
    }, 20_000);
    expect(tallyDeliveries(receiver, 1, 'targets').unique).toBe(1);
    await project.api.request('DELETE', `${sourcesPath()}/${source.uid}`);
  });

  it('lists invalid messages of each kind with the reason, dead-letters them, and valid messages behind them flow', async () => {
    const deadLetter = await newTopic('invalid-dead');
    const topic = await newTopic('invalid', deadLetter.topic.name);
    const source = await createSource(project, googleSourceBody('invalid', topic.subscription, 1));
    const unknownEndpoint = '0190a4d2-0000-7000-8000-0000000000ff';
    const bad: (ProducedMessage & { reason: string })[] = [
      { reason: 'malformed_json', body: '{"endpoint_id": "x", "event_type": ' },
      {
        reason: 'invalid_message',
        body: JSON.stringify({ endpoint_id: endpoints.a, data: { missing: 'event_type' } }),
      },
      {
        reason: 'endpoint_not_found',
        body: convoyMessage({ endpoint_id: unknownEndpoint, event_type: 'x', data: {} }),
      },
      {
        reason: 'too_large',
        body: convoyMessage({
          endpoint_id: endpoints.a,
          event_type: 'x',
          data: 'x'.repeat(MAX_BYTES),
        }),
      },
      {
        reason: 'unknown_message_type',
        body: convoyMessage({ event_type: 'x', data: {} }),
        attributes: { 'x-convoy-message-type': 'multicast' },
      },
    ];
    const ids = await topic.publish(
      [...bad, ...Array.from({ length: 20 }, (_, seq) => single(seq, 'ps-behind-invalid'))],
      1,
    );
    const tally = await waitForDeliveries(receiver, 20, 30_000, 'ps-behind-invalid');
    expect(tally.missing).toEqual([]);

    const failures = await eventually(async () => {
      const page = await project.api.get<{
        content: {
          reason: string;
          broker_message_id: string;
          detail: string;
          payload_bytes: number;
        }[];
      }>(`/api/v1/projects/${project.projectId}/ingestfailures?sourceId=${source.uid}`);
      if (page.body.data.content.length < bad.length)
        throw new Error('not all failures listed yet');
      return page.body.data.content;
    }, 20_000);
    expect(failures.map((failure) => [failure.broker_message_id, failure.reason]).sort()).toEqual(
      bad.map((message, index) => [ids[index], message.reason]).sort(),
    );
    expect(
      failures.find((failure) => failure.reason === 'too_large')!.payload_bytes,
    ).toBeGreaterThan(MAX_BYTES);

    const ingester = replicas[0]!;
    await eventually(async () => {
      expect(await scrape(ingester, 'flotilla_ingester_messages_invalid_total', source.uid)).toBe(
        bad.length,
      );
      expect(
        await scrape(ingester, 'flotilla_ingester_messages_dead_lettered_total', source.uid),
      ).toBe(bad.length);
    }, 15_000);
    const deadLettered = await pull(deadLetter, 2000);
    expect(
      deadLettered.map((message) => message.attributes['x-flotilla-ingest-failure']).sort(),
    ).toEqual(bad.map((message) => message.reason).sort());
    await project.api.request('DELETE', `${sourcesPath()}/${source.uid}`);
  });

  it('stops pulling a deleted source; its messages stay in the subscription', async () => {
    const topic = await newTopic('deleted');
    const source = await createSource(project, googleSourceBody('deleted', topic.subscription, 1));
    await topic.publish([single(0, 'ps-deleted')]);
    await waitForDeliveries(receiver, 1, 15_000, 'ps-deleted');
    const ingester = replicas[0]!;
    const running = () =>
      ingester.metrics().then((text) => metricValue(text, 'flotilla_ingester_sources_running'));
    const before = await running();
    await project.api.request('DELETE', `${sourcesPath()}/${source.uid}`);
    await eventually(async () => {
      expect(await running()).toBe(before - 1);
    }, 12_000);
    await topic.publish([single(1, 'ps-deleted')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await scrape(ingester, 'flotilla_ingester_messages_received_total', source.uid)).toBe(1);
    const left = await pull(topic, 2000);
    expect(
      left.map(
        (message) => (JSON.parse(message.data.toString()) as { data: { seq: number } }).data.seq,
      ),
    ).toEqual([1]);
  });

  it(`delivers all ${LOAD} messages with two replicas sharing the subscription, one killed with SIGKILL and restarted midway: 0 lost`, async () => {
    const run = 'ps-sigkill';
    const topic = await newTopic('load');
    const source = await createSource(project, googleSourceBody('load', topic.subscription, 2));
    const replicaA = replicas[0]!;
    const replicaB = await stack.start('pubsub-ingester');
    replicas.push(replicaB);
    const ingested = (replica: ServiceProcess): Promise<number> =>
      scrape(replica, 'flotilla_ingester_messages_ingested_total', source.uid);
    await eventually(async () => {
      expect(await scrape(replicaB, 'flotilla_ingester_messages_received_total', source.uid)).toBe(
        0,
      );
      expect(
        metricValue(await replicaB.metrics(), 'flotilla_ingester_sources_running'),
      ).toBeGreaterThan(0);
    }, 15_000);
    // Every event the dispatcher routes, copies included (it is not restarted here, so it replays
    // nothing): what it routed beyond LOAD are broker redeliveries, deduplicated by event id.
    const routed = async (): Promise<number> =>
      metricValue(await stack.service('dispatcher').metrics(), 'flotilla_events_routed_total');
    const routedBefore = await routed();
    const started = Date.now();
    const publishing = topic.publish(
      Array.from({ length: LOAD }, (_, seq) => single(seq, run)),
      200,
    );

    await eventually(
      async () => {
        expect((await ingested(replicaA)) + (await ingested(replicaB))).toBeGreaterThan(LOAD / 3);
      },
      60_000,
      50,
    );
    const ingestedByABeforeKill = await ingested(replicaA);
    expect(await replicaA.stop('SIGKILL')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await replicaA.startProcess();
    await publishing;
    const publishSeconds = (Date.now() - started) / 1000;

    const tally = await waitForDeliveries(receiver, LOAD, 150_000, run);
    const ingestedByARestarted = await ingested(replicaA);
    const ingestedByB = await ingested(replicaB);
    const redelivered = (await routed()) - routedBefore - LOAD;
    const { rows } = await db!.query<{ events: string; distinct_ids: string }>(
      'SELECT count(*) AS events, count(DISTINCT broker_message_id) AS distinct_ids FROM events WHERE source_id = $1',
      [source.uid],
    );
    process.stdout.write(
      `pubsub SIGKILL test: ${tally.unique}/${LOAD} delivered, lost ${tally.missing.length}; ` +
        `ingested by replica A ${ingestedByABeforeKill} before the kill and ${ingestedByARestarted} after its restart, ` +
        `by replica B ${ingestedByB}; duplicate events from broker redelivery (deduplicated by event id): ${redelivered}; ` +
        `events stored ${rows[0]!.events} (distinct broker ids ${rows[0]!.distinct_ids}); ` +
        `duplicate webhooks at the receiver: ${tally.duplicates}; publish ${Math.round(LOAD / publishSeconds)} msg/s\n`,
    );
    expect(tally.missing).toEqual([]);
    expect(Number(rows[0]!.events)).toBe(LOAD);
    expect(ingestedByABeforeKill).toBeGreaterThan(0);
    expect(ingestedByB).toBeGreaterThan(0);
  });

  it('holds messages un-acked while Kafka is down for 20 s, and delivers them all when it returns', async () => {
    const run = 'ps-kafka-outage';
    const before = 200;
    const total = before + 800;
    const topic = await newTopic('outage');
    const source = await createSource(project, googleSourceBody('outage', topic.subscription, 2));
    const sum = async (name: string): Promise<number> => {
      let value = 0;
      for (const replica of replicas) value += await scrape(replica, name, source.uid);
      return value;
    };
    await topic.publish(Array.from({ length: before }, (_, seq) => single(seq, run)));
    await eventually(() => {
      expect(tallyDeliveries(receiver, before, run).missing).toEqual([]);
      return Promise.resolve();
    }, 60_000);

    await stack.kafka.brokerDown(1);
    const downAt = Date.now();
    // Everything sent so far was delivered (so acked): from here on nothing may be acked.
    const ackedAtStart = await sum('flotilla_ingester_messages_acked_total');
    await topic.publish(Array.from({ length: total - before }, (_, k) => single(before + k, run)));
    const samples: number[] = [];
    while (Date.now() - downAt < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      samples.push(await sum('flotilla_ingester_messages_acked_total'));
    }
    const held = await sum('flotilla_ingester_messages_in_flight');
    let paused = 0;
    for (const replica of replicas) {
      paused = Math.max(
        paused,
        metricValue(await replica.metrics(), 'flotilla_ingester_kafka_paused'),
      );
    }
    await stack.kafka.brokerUp(1);
    const upAt = Date.now();

    const tally = await waitForDeliveries(receiver, total, 120_000, run);
    const recoveredAfter = Date.now() - upAt;
    process.stdout.write(
      `pubsub Kafka outage test: acked during the 20 s outage ${samples.at(-1)! - ackedAtStart}; ` +
        `held un-acked while down ${held}; ` +
        `${tally.unique}/${total} delivered ${recoveredAfter} ms after Kafka returned, ` +
        `lost ${tally.missing.length}, duplicates ${tally.duplicates}\n`,
    );
    expect(samples.every((sample) => sample === ackedAtStart)).toBe(true);
    expect(held).toBeGreaterThan(0);
    expect(paused).toBe(1);
    expect(tally.missing).toEqual([]);
  });
});
