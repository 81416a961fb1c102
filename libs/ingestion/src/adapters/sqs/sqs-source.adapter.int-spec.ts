import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import pino from 'pino';
import { EgressPolicy } from '@flotilla/egress';
// Test-only: the emulator launcher (the integration tier runs against real emulators).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { SqsTestQueue, startSqsEmulator, type SqsEmulatorHandle } from '@flotilla/testing';
import type { ResolvedSqsSource } from '../../broker/broker-source.adapter';
import * as kit from '../adapter-test.kit';
import { SqsSourceAdapter } from './sqs-source.adapter';

jest.setTimeout(60_000);

describe('SqsSourceAdapter against the SQS emulator', () => {
  let emulator: SqsEmulatorHandle;
  const queues: SqsTestQueue[] = [];

  beforeAll(async () => {
    emulator = await startSqsEmulator();
  });

  afterAll(async () => {
    for (const queue of queues) queue.close();
    await emulator.stop();
  });

  const adapter = (visibilityTimeoutSeconds = 30) =>
    new SqsSourceAdapter({
      defaultEndpoint: emulator.endpoint,
      visibilityTimeoutSeconds,
      // The emulator answers a long poll only when it is full (10) or its wait is over.
      waitTimeSeconds: 1,
      drainMs: 2000,
      egress: new EgressPolicy(['127.0.0.0/8']),
      logger: pino({ level: 'silent' }),
    });

  const source = (queueName: string, workers = 2): ResolvedSqsSource => ({
    broker: 'sqs',
    ...kit.TEST_SOURCE,
    workers,
    sqs: {
      queueName,
      region: 'us-east-1',
      endpoint: undefined,
      accessKeyId: 'test',
      secretKey: 'test',
    },
  });

  async function queue(attributes: Record<string, string> = {}): Promise<SqsTestQueue> {
    const created = await SqsTestQueue.create(
      emulator.endpoint,
      `adapter-${queues.length}`,
      attributes,
    );
    queues.push(created);
    return created;
  }

  const empty = { visible: 0, inFlight: 0 };

  it('receives in batches of up to 10 with several workers and deletes what was acked', async () => {
    const q = await queue();
    await q.send(kit.numberedBroadcasts(95));
    const { handler, seen, batchSizes } = kit.ackEverything();
    const { state, value } = kit.recordingHooks();
    const running = await adapter().start(source(q.name, 3), handler, value);
    await kit.until(() => state.acked === 95, 15_000);
    await running.stop();
    expect(new Set(seen.map((message) => message.id)).size).toBe(95);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(10);
    kit.expectBroadcastMetadata(seen);
    expect(state.latencies).toHaveLength(95);
    expect(await q.depth()).toEqual(empty);
  });

  it('moves rejected messages to the redrive dead-letter queue with the reason, and releases what it gives back', async () => {
    const dlq = await queue();
    const q = await queue({
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await dlq.arn(), maxReceiveCount: 5 }),
    });
    await q.send([{ body: 'not json' }, { body: 'give back' }]);
    const { handler, releases } = kit.rejectOneReleaseOnce();
    const { state, value } = kit.recordingHooks();
    const running = await adapter().start(source(q.name, 1), handler, value);
    // The released message comes straight back (visibility 0) and is acked the second time.
    await kit.until(() => state.acked === 2 && releases() === 2, 15_000);
    await running.stop();
    expect(state.deadLettered).toBe(1);
    expect(await q.depth()).toEqual(empty);
    const { Messages } = await dlq.client.send(
      new ReceiveMessageCommand({
        QueueUrl: dlq.url,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      }),
    );
    expect(Messages).toHaveLength(1);
    expect(Messages![0]!.Body).toBe('not json');
    expect(Messages![0]!.MessageAttributes?.['x-flotilla-ingest-failure']?.StringValue).toBe(
      'malformed_json',
    );
  });

  it('keeps held messages hidden past the visibility timeout, and gives them back on stop', async () => {
    const q = await queue();
    await q.send([{ body: 'held' }]);
    // Kafka is away: hold until stopped.
    const { handler, calls } = kit.holdUntilAborted();
    const { value } = kit.recordingHooks();
    const running = await adapter(2).start(source(q.name, 1), handler, value);
    await kit.until(() => calls() === 1, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 3500)); // longer than the 2 s visibility timeout
    const { Messages: whileHeld } = await q.client.send(
      new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 0 }),
    );
    expect(whileHeld ?? []).toHaveLength(0);
    expect(calls()).toBe(1);
    await running.stop(); // drain (2 s) passes, the handler releases, visibility goes to 0
    const { Messages: afterStop } = await q.client.send(
      new ReceiveMessageCommand({ QueueUrl: q.url, WaitTimeSeconds: 1 }),
    );
    expect(afterStop?.[0]?.Body).toBe('held');
  });

  it('refuses to start a source whose queue does not exist', async () => {
    const { value } = kit.recordingHooks();
    await expect(
      adapter().start(source('no-such-queue'), () => Promise.resolve([]), value),
    ).rejects.toThrow(/does not exist/);
  });
});
