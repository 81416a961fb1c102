import { Client } from 'pg';
import {
  convoyMessage,
  createEndpoint,
  createProject,
  createSource,
  createSubscription,
  eventually,
  metricValue,
  startTestStack,
  stopAll,
  tallyDeliveries,
  waitForDeliveries,
  WebhookReceiver,
  type DemoProject,
  type ProducedMessage,
  type ServiceProcess,
  type TestStack,
} from '@flotilla/testing';

/** INGEST_MAX_MESSAGE_BYTES of the stack: larger messages are refused as too_large. */
const MAX_BYTES = 16 * 1024;
/** Messages of the SIGKILL load test. */
export const LOAD = 10_000;

/** What the shared broker-ingestion tests need of one broker (SQS, Google Pub/Sub, RabbitMQ). */
export interface BrokerDriver<Emulator extends { stop: () => Promise<void> }, Channel> {
  /** Names the ingester (`sqs-ingester`) and starts the printed figures lines (`sqs SIGKILL test: …`). */
  readonly name: 'sqs' | 'pubsub' | 'amqp';
  /** Requests the load test's producer keeps outstanding. */
  readonly loadConcurrency: number;
  startEmulator(): Promise<Emulator>;
  /** The ingester's environment pointing it at the emulator. */
  env(emulator: Emulator): Record<string, string>;
  /** A fresh queue (SQS) or topic with its subscription (Pub/Sub), dead-lettering to `deadLetter`. */
  createChannel(emulator: Emulator, name: string, deadLetter?: Channel): Promise<Channel>;
  /** Sends (publishes) with `concurrency` requests outstanding; resolves with the broker's ids. */
  send(
    channel: Channel,
    messages: readonly ProducedMessage[],
    concurrency?: number,
  ): Promise<string[]>;
  close(channel: Channel): Promise<void>;
  /** The sources API body of a source reading `channel` (the broker's default workers). */
  sourceBody(name: string, channel: Channel, workers?: number): Record<string, unknown>;
}

export type Source = Awaited<ReturnType<typeof createSource>>;
export type InvalidMessage = ProducedMessage & { reason: string };
export interface ListedFailure {
  reason: string;
  broker_message_id: string;
  detail: string;
  payload: string;
  payload_bytes: number;
}

/**
 * One broker's ingestion, end to end, for a test file: its emulator, a stack with its ingester
 * (more replicas join in the SIGKILL test), a project whose endpoints a and b belong to owner o1
 * and c to o2 (each subscribed to everything) behind one webhook receiver, and the tests both
 * brokers share.
 */
export class BrokerIngestionHarness<Emulator extends { stop: () => Promise<void> }, Channel> {
  stack!: TestStack;
  project!: DemoProject;
  receiver!: WebhookReceiver;
  db: Client | undefined;
  /** The running ingester replicas. */
  readonly replicas: ServiceProcess[] = [];
  readonly endpoints: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
  private emulator: Emulator | undefined;
  private readonly channels: Channel[] = [];
  private readonly ingester: `${BrokerDriver<Emulator, Channel>['name']}-ingester`;

  constructor(private readonly driver: BrokerDriver<Emulator, Channel>) {
    this.ingester = `${driver.name}-ingester`;
  }

  async setUp(projectName: string): Promise<void> {
    const emulator = await this.driver.startEmulator();
    this.emulator = emulator;
    this.stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler', this.ingester], {
      ...this.driver.env(emulator),
      INGEST_MAX_MESSAGE_BYTES: String(MAX_BYTES),
      LOG_LEVEL: process.env['FLOTILLA_TEST_LOG_LEVEL'] ?? 'warn',
    });
    this.receiver = await WebhookReceiver.start();
    this.project = await createProject(this.stack.admin, projectName);
    for (const [name, owner] of [
      ['a', 'o1'],
      ['b', 'o1'],
      ['c', 'o2'],
    ] as const) {
      const endpoint = await createEndpoint(this.project, {
        name,
        url: `${this.receiver.url}?endpoint=${name}`,
        owner_id: owner,
      });
      this.endpoints[name] = endpoint.uid;
      await createSubscription(this.project, { name: `all-${name}`, endpoint_id: endpoint.uid });
    }
    this.replicas.push(this.stack.service(this.ingester));
    this.db = new Client({ connectionString: this.stack.databaseUrl });
    await this.db.connect();
  }

  async tearDown(): Promise<void> {
    for (const channel of this.channels) await this.driver.close(channel).catch(() => undefined);
    await this.db?.end().catch(() => undefined);
    await stopAll(this.receiver, this.stack, this.emulator);
  }

  get sourcesPath(): string {
    return `/api/v1/projects/${this.project.projectId}/sources`;
  }

  async channel(name: string, deadLetter?: Channel): Promise<Channel> {
    const channel = await this.driver.createChannel(this.emulator!, name, deadLetter);
    this.channels.push(channel);
    return channel;
  }

  createSource(name: string, channel: Channel, workers?: number): Promise<Source> {
    return this.createSourceFromBody(this.driver.sourceBody(name, channel, workers));
  }

  createSourceFromBody(body: Record<string, unknown>): Promise<Source> {
    return createSource(this.project, body);
  }

  /** A source's credentials as stored in the database (bytes as latin1 text). */
  async storedCredentials(source: Source): Promise<string> {
    const { rows } = await this.db!.query<{ credentials: Buffer }>(
      'SELECT credentials FROM sources WHERE id = $1',
      [source.uid],
    );
    return rows[0]!.credentials.toString('latin1');
  }

  async deleteSource(source: Source): Promise<void> {
    await this.project.api.request('DELETE', `${this.sourcesPath}/${source.uid}`);
  }

  /**
   * A numbered single message of `run`, spread over the three endpoints (the dispatcher bounds
   * deliveries in flight per endpoint).
   */
  single(seq: number, run: string): ProducedMessage {
    const endpoint = [this.endpoints.a, this.endpoints.b, this.endpoints.c][seq % 3]!;
    return {
      body: convoyMessage({ endpoint_id: endpoint, event_type: 'load.test', data: { seq, run } }),
    };
  }

  scrape(service: ServiceProcess, name: string, source: string): Promise<number> {
    return service.metrics().then((text) => metricValue(text, name, { source }));
  }

  /** A per-source metric summed over the replicas. */
  async sum(name: string, source: string): Promise<number> {
    let value = 0;
    for (const replica of this.replicas) value += await this.scrape(replica, name, source);
    return value;
  }

  /**
   * A source created through the API ingests a message already waiting within 10 s; a fanout
   * message reaches the owner's endpoints and a broadcast every endpoint. Returns the source.
   */
  async expectTargetsReachTheRightEndpoints(): Promise<Source> {
    const channel = await this.channel('targets');
    const [first] = await this.driver.send(channel, [this.single(0, 'targets')]);
    const createdAt = Date.now();
    const source = await this.createSource('targets', channel);
    const event = await eventually(
      async () => {
        const page = await this.project.api.get<{
          content: { uid: string; source_id: string; broker_message_id: string }[];
        }>(`/api/v1/projects/${this.project.projectId}/events?brokerMessageId=${first}`);
        if (page.body.data.content.length !== 1) throw new Error('not ingested yet');
        return page.body.data.content[0]!;
      },
      15_000,
      100,
    );
    const startedWithin = Date.now() - createdAt;
    process.stdout.write(
      `${this.driver.name}: a source created through the API ingested its first message after ${startedWithin} ms\n`,
    );
    expect(startedWithin).toBeLessThan(10_000);
    expect(event).toMatchObject({ source_id: source.uid, broker_message_id: first });

    await this.driver.send(channel, [
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
      this.receiver.requests
        .filter((request) => (JSON.parse(request.body) as { kind?: string }).kind === kind)
        .map((request) => new URL(request.path, 'http://x').searchParams.get('endpoint') ?? '')
        .sort();
    await eventually(async () => {
      expect(who('fanout')).toEqual(['a', 'b']);
      expect(who('broadcast')).toEqual(['a', 'b', 'c']);
      await Promise.resolve();
    }, 20_000);
    expect(tallyDeliveries(this.receiver, 1, 'targets').unique).toBe(1);
    return source;
  }

  /**
   * Sends one invalid message of each kind, then 20 valid ones behind them, to a new source (one
   * worker) whose queue or subscription dead-letters; resolves once the valid ones were delivered.
   */
  async sendInvalidMessages(run: string): Promise<{
    channel: Channel;
    deadLetter: Channel;
    source: Source;
    bad: InvalidMessage[];
    ids: string[];
    unknownEndpoint: string;
  }> {
    const deadLetter = await this.channel('invalid-dead');
    const channel = await this.channel('invalid', deadLetter);
    const source = await this.createSource('invalid', channel, 1);
    const unknownEndpoint = '0190a4d2-0000-7000-8000-0000000000ff';
    const bad: InvalidMessage[] = [
      { reason: 'malformed_json', body: '{"endpoint_id": "x", "event_type": ' },
      {
        reason: 'invalid_message',
        body: JSON.stringify({ endpoint_id: this.endpoints.a, data: { missing: 'event_type' } }),
      },
      {
        reason: 'endpoint_not_found',
        body: convoyMessage({ endpoint_id: unknownEndpoint, event_type: 'x', data: {} }),
      },
      {
        reason: 'too_large',
        body: convoyMessage({
          endpoint_id: this.endpoints.a,
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
    // Poison first, valid messages behind them (one SQS receive batch holds up to 10).
    const ids = await this.driver.send(
      channel,
      [...bad, ...Array.from({ length: 20 }, (_, seq) => this.single(seq, run))],
      1,
    );
    const tally = await waitForDeliveries(this.receiver, 20, 30_000, run);
    expect(tally.missing).toEqual([]);
    return { channel, deadLetter, source, bad, ids, unknownEndpoint };
  }

  /** The ingest failures listed at `path`, once at least `count` are. */
  async listedFailures(path: string, count: number): Promise<ListedFailure[]> {
    return eventually(async () => {
      const page = await this.project.api.get<{ content: ListedFailure[] }>(path);
      if (page.body.data.content.length < count)
        throw new Error(`only ${page.body.data.content.length} failures listed`);
      return page.body.data.content;
    }, 20_000);
  }

  /** Each invalid message is listed once, under its broker id, with its reason. */
  expectListedWithTheirReasons(
    failures: ListedFailure[],
    bad: InvalidMessage[],
    ids: string[],
  ): void {
    expect(failures.map((failure) => [failure.broker_message_id, failure.reason]).sort()).toEqual(
      bad.map((message, index) => [ids[index], message.reason]).sort(),
    );
    expect(
      failures.find((failure) => failure.reason === 'too_large')!.payload_bytes,
    ).toBeGreaterThan(MAX_BYTES);
  }

  /** The ingester counted `count` invalid messages of `source` and dead-lettered them (and `also`). */
  async expectCountedAndDeadLettered(
    source: Source,
    count: number,
    also: () => Promise<void> = () => Promise.resolve(),
  ): Promise<void> {
    const ingester = this.replicas[0]!;
    await eventually(async () => {
      expect(
        await this.scrape(ingester, 'flotilla_ingester_messages_invalid_total', source.uid),
      ).toBe(count);
      expect(
        await this.scrape(ingester, 'flotilla_ingester_messages_dead_lettered_total', source.uid),
      ).toBe(count);
      await also();
    }, 15_000);
  }

  /**
   * LOAD messages through two replicas, one killed with SIGKILL once a third is ingested and
   * restarted: none lost, every one stored once. Prints the figures, ending with `timing`;
   * returns the channel.
   */
  async expectNoLossWhenAReplicaIsKilled(
    timing: (figures: { publishedMs: number; rate: number; deliveredMs: number }) => string,
  ): Promise<Channel> {
    const run = 'sigkill';
    const channel = await this.channel('load');
    const source = await this.createSource('load', channel);
    const replicaA = this.replicas[0]!;
    const replicaB = await this.stack.start(this.ingester);
    this.replicas.push(replicaB);
    const ingested = (replica: ServiceProcess): Promise<number> =>
      this.scrape(replica, 'flotilla_ingester_messages_ingested_total', source.uid);
    // Both replicas pull the source before the load starts.
    await eventually(async () => {
      expect(
        await this.scrape(replicaB, 'flotilla_ingester_messages_received_total', source.uid),
      ).toBe(0);
      expect(
        metricValue(await replicaB.metrics(), 'flotilla_ingester_sources_running'),
      ).toBeGreaterThan(0);
    }, 15_000);
    // Every event the dispatcher routes, copies included (it is not restarted here, so it replays
    // nothing): what it routed beyond LOAD are broker redeliveries, deduplicated by event id.
    const routed = async (): Promise<number> =>
      metricValue(await this.stack.service('dispatcher').metrics(), 'flotilla_events_routed_total');
    const routedBefore = await routed();
    const loadStarted = Date.now();
    let sentAt = 0;
    const sending = this.driver
      .send(
        channel,
        Array.from({ length: LOAD }, (_, seq) => this.single(seq, run)),
        this.driver.loadConcurrency,
      )
      .then(() => {
        sentAt = Date.now();
      });

    // Kill replica A once the replicas together have ingested about a third of the load.
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
    await sending;
    const publishedMs = Date.now() - loadStarted;

    const tally = await waitForDeliveries(this.receiver, LOAD, 150_000, run);
    const deliveredMs = Date.now() - loadStarted;
    const ingestedByARestarted = await ingested(replicaA);
    const ingestedByB = await ingested(replicaB);
    const redelivered = (await routed()) - routedBefore - LOAD;
    const { rows } = await this.db!.query<{ events: string; distinct_ids: string }>(
      'SELECT count(*) AS events, count(DISTINCT broker_message_id) AS distinct_ids FROM events WHERE source_id = $1',
      [source.uid],
    );
    const rate = Math.round((LOAD * 1000) / Math.max(1, sentAt - loadStarted));
    process.stdout.write(
      `${this.driver.name} SIGKILL test: ${tally.unique}/${LOAD} delivered, lost ${tally.missing.length}; ` +
        `ingested by replica A ${ingestedByABeforeKill} before the kill and ${ingestedByARestarted} after its restart, ` +
        `by replica B ${ingestedByB}; duplicate events from broker redelivery (deduplicated by event id): ${redelivered}; ` +
        `events stored ${rows[0]!.events} (distinct broker ids ${rows[0]!.distinct_ids}); ` +
        `duplicate webhooks at the receiver: ${tally.duplicates}; ${timing({ publishedMs, rate, deliveredMs })}\n`,
    );
    expect(tally.missing).toEqual([]);
    expect(Number(rows[0]!.events)).toBe(LOAD);
    expect(ingestedByABeforeKill).toBeGreaterThan(0);
    expect(ingestedByB).toBeGreaterThan(0);
    return channel;
  }

  /**
   * 200 messages delivered, then Kafka down for 20 s while 800 more arrive: nothing is acked
   * meanwhile and the ingesters report Kafka paused; all 1000 are delivered once it returns.
   * `whileDown` measures what the broker holds at the end of the outage (its figure is printed);
   * returns that measure, the channel and how many were sent while Kafka was down.
   */
  async expectHeldWhileKafkaIsDown<Held>(
    whileDown: (channel: Channel, source: Source) => Promise<{ figure: string; held: Held }>,
  ): Promise<{ channel: Channel; held: Held; sentWhileDown: number }> {
    const run = 'kafka-outage';
    const before = 200;
    const total = before + 800;
    const channel = await this.channel('outage');
    const source = await this.createSource('outage', channel);
    const acked = () => this.sum('flotilla_ingester_messages_acked_total', source.uid);
    // Some before the outage, the rest during it.
    await this.driver.send(
      channel,
      Array.from({ length: before }, (_, seq) => this.single(seq, run)),
    );
    await eventually(() => {
      expect(tallyDeliveries(this.receiver, before, run).missing).toEqual([]);
      return Promise.resolve();
    }, 60_000);

    await this.stack.kafka.brokerDown(1);
    const downAt = Date.now();
    // Everything sent so far was delivered (so acked): from here on nothing may be acked.
    const ackedAtStart = await acked();
    await this.driver.send(
      channel,
      Array.from({ length: total - before }, (_, k) => this.single(before + k, run)),
    );
    const samples: number[] = [];
    while (Date.now() - downAt < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      samples.push(await acked());
    }
    const { figure, held } = await whileDown(channel, source);
    let paused = 0;
    for (const replica of this.replicas)
      paused = Math.max(
        paused,
        metricValue(await replica.metrics(), 'flotilla_ingester_kafka_paused'),
      );
    await this.stack.kafka.brokerUp(1);
    const upAt = Date.now();

    const tally = await waitForDeliveries(this.receiver, total, 120_000, run);
    const recoveredAfter = Date.now() - upAt;
    process.stdout.write(
      `${this.driver.name} Kafka outage test: acked during the 20 s outage ${samples.at(-1)! - ackedAtStart}; ` +
        `${figure}; ` +
        `${tally.unique}/${total} delivered ${recoveredAfter} ms after Kafka returned, ` +
        `lost ${tally.missing.length}, duplicates ${tally.duplicates}\n`,
    );
    expect(samples.every((sample) => sample === ackedAtStart)).toBe(true);
    expect(paused).toBe(1);
    expect(tally.missing).toEqual([]);
    return { channel, held, sentWhileDown: total - before };
  }
}
