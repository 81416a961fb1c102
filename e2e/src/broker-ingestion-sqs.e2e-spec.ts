import { Client } from 'pg';
import {
  convoyMessage,
  createEndpoint,
  createProject,
  createSource,
  createSubscription,
  eventually,
  metricValue,
  SQS_TEST_CREDENTIALS,
  SqsTestQueue,
  startSqsEmulator,
  startTestStack,
  stopAll,
  tallyDeliveries,
  waitForDeliveries,
  WebhookReceiver,
  type DemoProject,
  type ProducedMessage,
  type ServiceProcess,
  type SqsEmulatorHandle,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(240_000);

const MAX_BYTES = 16 * 1024;
const LOAD = 10_000;

/**
 * Amazon SQS sources end to end: the sources API, the sqs-ingester (two replicas, one killed with
 * SIGKILL), the dispatcher and a webhook receiver, with producers using @aws-sdk/client-sqs against
 * the SQS emulator.
 */
describe('broker ingestion from Amazon SQS', () => {
  let emulator: SqsEmulatorHandle;
  let stack: TestStack;
  let project: DemoProject;
  let receiver: WebhookReceiver;
  let db: Client | undefined;
  /** The running sqs-ingester replicas. */
  const replicas: ServiceProcess[] = [];
  const queues: SqsTestQueue[] = [];
  const endpoints: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };

  beforeAll(async () => {
    emulator = await startSqsEmulator();
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler', 'sqs-ingester'], {
      AWS_ENDPOINT_URL_SQS: emulator.endpoint,
      SQS_VISIBILITY_TIMEOUT_SECONDS: '10',
      // The emulator answers a long poll only once it has 10 messages or its wait is over (SQS
      // answers as soon as it has any), so short polls keep partial batches from waiting 20 s.
      SQS_WAIT_TIME_SECONDS: '1',
      INGEST_MAX_MESSAGE_BYTES: String(MAX_BYTES),
      LOG_LEVEL: process.env['FLOTILLA_TEST_LOG_LEVEL'] ?? 'warn',
    });
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'sqs ingestion');
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
    replicas.push(stack.service('sqs-ingester'));
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });

  afterAll(async () => {
    for (const queue of queues) queue.close();
    await db?.end().catch(() => undefined);
    await stopAll(receiver, stack, emulator);
  });

  async function newQueue(
    name: string,
    attributes: Record<string, string> = {},
  ): Promise<SqsTestQueue> {
    const queue = await SqsTestQueue.create(emulator.endpoint, name, attributes);
    queues.push(queue);
    return queue;
  }

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

  it('creates, shows, updates and lists sources, never returning their secrets', async () => {
    const created = await createSource(project, sqsSourceBody('orders', 'api-only-queue'));
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
    const shown = JSON.stringify(await project.api.get(`${sourcesPath()}/${created.uid}`));
    expect(shown).not.toContain(SQS_TEST_CREDENTIALS.secretAccessKey);
    expect(shown).not.toContain(SQS_TEST_CREDENTIALS.accessKeyId);
    // At rest the credentials are ciphertext.
    const { rows } = await db!.query<{ credentials: Buffer }>(
      'SELECT credentials FROM sources WHERE id = $1',
      [created.uid],
    );
    expect(rows[0]!.credentials.toString('latin1')).not.toContain(
      SQS_TEST_CREDENTIALS.secretAccessKey,
    );

    const renamed = await project.api.request<{ name: string; is_disabled: boolean }>(
      'PUT',
      `${sourcesPath()}/${created.uid}`,
      { name: 'orders-renamed', is_disabled: true },
    );
    expect(renamed.status).toBe(202);
    expect(renamed.body.data).toMatchObject({ name: 'orders-renamed', is_disabled: true });
    const list = await project.api.get<{ content: { uid: string }[] }>(sourcesPath());
    expect(list.body.data.content.map((source) => source.uid)).toContain(created.uid);

    const invalid = await project.api.post(sourcesPath(), {
      name: 'x',
      type: 'pub_sub',
      pub_sub: { type: 'google' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message).toContain('pub_sub.google: is required when type is google');

    // The ingester would connect to a source's own endpoint: the egress policy applies.
    const metadata = sqsSourceBody('metadata', 'q');
    const ssrf = await project.api.post(sourcesPath(), {
      ...metadata,
      pub_sub: {
        ...metadata.pub_sub,
        sqs: { ...metadata.pub_sub.sqs, endpoint: 'http://169.254.169.254/' },
      },
    });
    expect(ssrf.status).toBe(400);
    expect(ssrf.body.data).toMatchObject({ field: 'pub_sub.sqs.endpoint' });

    const deleted = await project.api.request('DELETE', `${sourcesPath()}/${created.uid}`);
    expect(deleted.status).toBe(200);
    expect((await project.api.get(`${sourcesPath()}/${created.uid}`)).status).toBe(404);
  });

  it('starts ingesting a source created through the API within 10 s; single, fanout and broadcast reach the right endpoints', async () => {
    const queue = await newQueue('targets');
    const [first] = await queue.send([single(0, 'targets')]);
    const createdAt = Date.now();
    const source = await createSource(project, sqsSourceBody('targets', queue.name));
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
      `sqs: a source created through the API ingested its first message after ${startedWithin} ms\n`,
    );
    expect(startedWithin).toBeLessThan(10_000);
    expect(event).toMatchObject({ source_id: source.uid, broker_message_id: first });

    await queue.send([
      {
        body: convoyMessage({ owner_id: 'o1', event_type: 'fan', data: { kind: 'fanout' } }),
        attributes: { 'x-convoy-message-type': 'fanout' },
      },
      {
        body: convoyMessage({ event_type: 'all', data: { kind: 'broadcast' } }),
        attributes: { 'x-convoy-message-type': 'broadcast' },
      },
    ]);
    const who = (kind: string): string[] =>
      receiver.requests
        .filter((request) => (JSON.parse(request.body) as { kind?: string }).kind === kind)
        .map((request) => new URL(request.path, 'http://x').searchParams.get('endpoint') ?? '')
        .sort();
    await eventually(async () => {
      expect(who('fanout')).toEqual(['a', 'b']);
      expect(who('broadcast')).toEqual(['a', 'b', 'c']);
      await Promise.resolve();
    }, 20_000);
    expect(tallyDeliveries(receiver, 1, 'targets').unique).toBe(1);
  });

  it('lists invalid messages of each kind with the reason; valid messages behind them flow, and the queue empties', async () => {
    const deadLetter = await newQueue('invalid-dlq');
    const queue = await newQueue('invalid', {
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: await deadLetter.arn(),
        maxReceiveCount: 5,
      }),
    });
    const source = await createSource(project, sqsSourceBody('invalid', queue.name, 1));
    const unknownEndpoint = '0190a4d2-0000-7000-8000-0000000000ff';
    const bad: (ProducedMessage & { reason: string })[] = [
      { reason: 'malformed_json', body: '{"endpoint_id": "x", "event_type": ' },
      {
        reason: 'invalid_message',
        body: convoyMessage({ endpoint_id: endpoints.a, data: { missing: 'event_type' } } as never),
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
    // Poison first, valid messages behind them (one receive batch holds up to 10).
    const ids = await queue.send(
      [...bad, ...Array.from({ length: 20 }, (_, seq) => single(seq, 'behind-invalid'))],
      1,
    );
    const tally = await waitForDeliveries(receiver, 20, 30_000, 'behind-invalid');
    expect(tally.missing).toEqual([]);

    const failures = await eventually(async () => {
      const page = await project.api.get<{
        content: {
          reason: string;
          broker_message_id: string;
          detail: string;
          payload: string;
          payload_bytes: number;
        }[];
      }>(`${sourcesPath()}/${source.uid}/failures`);
      if (page.body.data.content.length < bad.length)
        throw new Error(`only ${page.body.data.content.length} failures listed`);
      return page.body.data.content;
    }, 20_000);
    expect(failures.map((failure) => [failure.broker_message_id, failure.reason]).sort()).toEqual(
      bad.map((message, index) => [ids[index], message.reason]).sort(),
    );
    const tooLarge = failures.find((failure) => failure.reason === 'too_large')!;
    expect(tooLarge.payload_bytes).toBeGreaterThan(MAX_BYTES);
    expect(tooLarge.payload.length).toBeLessThanOrEqual(8192);
    expect(failures.find((failure) => failure.reason === 'endpoint_not_found')!.detail).toContain(
      unknownEndpoint,
    );
    const byReason = await project.api.get<{ content: unknown[] }>(
      `/api/v1/projects/${project.projectId}/ingestfailures?reason=malformed_json&sourceId=${source.uid}`,
    );
    expect(byReason.body.data.content).toHaveLength(1);

    const ingester = stack.service('sqs-ingester');
    await eventually(async () => {
      expect(await scrape(ingester, 'flotilla_ingester_messages_invalid_total', source.uid)).toBe(
        bad.length,
      );
      expect(
        await scrape(ingester, 'flotilla_ingester_messages_dead_lettered_total', source.uid),
      ).toBe(bad.length);
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
      expect((await deadLetter.depth()).visible).toBe(bad.length);
    }, 15_000);
  });

  it('stops a paused source, resumes it, and stops it for good when deleted', async () => {
    const queue = await newQueue('lifecycle');
    const source = await createSource(project, sqsSourceBody('lifecycle', queue.name, 1));
    const ingester = stack.service('sqs-ingester');
    const running = () =>
      ingester.metrics().then((text) => metricValue(text, 'flotilla_ingester_sources_running'));
    const received = () =>
      scrape(ingester, 'flotilla_ingester_messages_received_total', source.uid);
    await queue.send([single(0, 'lifecycle')]);
    await waitForDeliveries(receiver, 1, 15_000, 'lifecycle');

    const path = `${sourcesPath()}/${source.uid}`;
    const before = await running();
    await project.api.request('PUT', path, { is_disabled: true });
    await eventually(async () => {
      expect(await running()).toBe(before - 1);
    }, 12_000);
    await queue.send([single(1, 'lifecycle')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await received()).toBe(1);
    expect((await queue.depth()).visible).toBe(1);

    await project.api.request('PUT', path, { is_disabled: false });
    expect((await waitForDeliveries(receiver, 2, 15_000, 'lifecycle')).missing).toEqual([]);

    await project.api.request('DELETE', path);
    await eventually(async () => {
      expect(await running()).toBe(before - 1);
    }, 12_000);
    await queue.send([single(2, 'lifecycle')]);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await queue.depth()).visible).toBe(1);
    expect(tallyDeliveries(receiver, 3, 'lifecycle').missing).toEqual([2]);
  });

  it(`delivers all ${LOAD} messages with two replicas, one killed with SIGKILL and restarted midway: 0 lost`, async () => {
    const run = 'sigkill';
    const queue = await newQueue('load');
    const source = await createSource(project, sqsSourceBody('load', queue.name, 4));
    const replicaA = replicas[0]!;
    const replicaB = await stack.start('sqs-ingester');
    replicas.push(replicaB);
    // Every event the dispatcher routes, copies included (it is not restarted here, so it replays
    // nothing): what it routed beyond LOAD are broker redeliveries, deduplicated by event id.
    const routed = async (): Promise<number> =>
      metricValue(await stack.service('dispatcher').metrics(), 'flotilla_events_routed_total');
    const routedBefore = await routed();
    const loadStarted = Date.now();
    const load = startLoad(queue, Object.values(endpoints), LOAD, run);

    // Kill replica A once the replicas together have ingested about a third of the load.
    const ingested = (replica: ServiceProcess): Promise<number> =>
      scrape(replica, 'flotilla_ingester_messages_ingested_total', source.uid);
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
    await load.done;
    const publishedAfter = Date.now() - loadStarted;

    const tally = await waitForDeliveries(receiver, LOAD, 120_000, run);
    const deliveredAfter = Date.now() - loadStarted;
    const ingestedByARestarted = await ingested(replicaA);
    const ingestedByB = await ingested(replicaB);
    const redelivered = (await routed()) - routedBefore - LOAD;

    const { rows } = await db!.query<{ events: string; distinct_ids: string }>(
      'SELECT count(*) AS events, count(DISTINCT broker_message_id) AS distinct_ids FROM events WHERE source_id = $1',
      [source.uid],
    );
    process.stdout.write(
      `sqs SIGKILL test: ${tally.unique}/${LOAD} delivered, lost ${tally.missing.length}; ` +
        `ingested by replica A ${ingestedByABeforeKill} before the kill and ${ingestedByARestarted} after its restart, ` +
        `by replica B ${ingestedByB}; duplicate events from broker redelivery (deduplicated by event id): ${redelivered}; ` +
        `events stored ${rows[0]!.events} (distinct broker ids ${rows[0]!.distinct_ids}); ` +
        `duplicate webhooks at the receiver: ${tally.duplicates}; ` +
        `published in ${publishedAfter} ms (${load.rate()} msg/s), all delivered after ${deliveredAfter} ms\n`,
    );
    expect(tally.missing).toEqual([]);
    expect(Number(rows[0]!.events)).toBe(LOAD);
    expect(ingestedByABeforeKill).toBeGreaterThan(0);
    expect(ingestedByB).toBeGreaterThan(0);
    expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('holds messages un-acked while Kafka is down for 20 s, and delivers them all when it returns', async () => {
    const run = 'kafka-outage';
    const before = 200;
    const total = before + 800;
    const queue = await newQueue('outage');
    const source = await createSource(project, sqsSourceBody('outage', queue.name, 4));
    const acked = async (): Promise<number> => {
      let sum = 0;
      for (const replica of replicas)
        sum += await scrape(replica, 'flotilla_ingester_messages_acked_total', source.uid);
      return sum;
    };
    // Some before the outage, the rest during it.
    await queue.send(Array.from({ length: before }, (_, seq) => single(seq, run)));
    await eventually(() => {
      expect(tallyDeliveries(receiver, before, run).missing).toEqual([]);
      return Promise.resolve();
    }, 60_000);

    await stack.kafka.brokerDown(1);
    const downAt = Date.now();
    // Everything sent so far was delivered (so acked): from here on nothing may be acked.
    const ackedAtStart = await acked();
    await queue.send(Array.from({ length: total - before }, (_, k) => single(before + k, run)));
    const samples: number[] = [];
    while (Date.now() - downAt < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      samples.push(await acked());
    }
    const depth = await queue.depth();
    let paused = 0;
    for (const replica of replicas)
      paused = Math.max(
        paused,
        metricValue(await replica.metrics(), 'flotilla_ingester_kafka_paused'),
      );
    await stack.kafka.brokerUp(1);
    const upAt = Date.now();

    const tally = await waitForDeliveries(receiver, total, 120_000, run);
    const recoveredAfter = Date.now() - upAt;
    process.stdout.write(
      `sqs Kafka outage test: acked during the 20 s outage ${samples.at(-1)! - ackedAtStart}; ` +
        `queue while down ${depth.visible} visible + ${depth.inFlight} held; ` +
        `${tally.unique}/${total} delivered ${recoveredAfter} ms after Kafka returned, ` +
        `lost ${tally.missing.length}, duplicates ${tally.duplicates}\n`,
    );
    expect(samples.every((sample) => sample === ackedAtStart)).toBe(true);
    // (The emulator's visible count includes the held messages.)
    expect(depth.visible + depth.inFlight).toBeGreaterThanOrEqual(total - before);
    expect(paused).toBe(1);
    expect(tally.missing).toEqual([]);
    await eventually(async () => {
      expect(await queue.depth()).toEqual({ visible: 0, inFlight: 0 });
    }, 15_000);
  });
});

/** Sends `total` numbered single messages in the background, as a producer would. */
function startLoad(
  queue: SqsTestQueue,
  endpointIds: string[],
  total: number,
  run: string,
): { done: Promise<void>; rate: () => number } {
  const started = Date.now();
  let finished = 0;
  const messages = Array.from({ length: total }, (_, seq) => ({
    body: convoyMessage({
      endpoint_id: endpointIds[seq % endpointIds.length]!,
      event_type: 'load.test',
      data: { seq, run },
    }),
  }));
  const done = queue.send(messages, 8).then(() => {
    finished = Date.now();
  });
  return {
    done,
    rate: () => Math.round((total * 1000) / Math.max(1, (finished || Date.now()) - started)),
  };
}
