import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import pino from 'pino';
// Test-only: the emulator launcher (the integration tier runs against real emulators).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { startSqsEmulator, type SqsEmulatorHandle } from '@flotilla/testing';
import type {
  BrokerBatchHandler,
  BrokerMessage,
  MessageDecision,
  ResolvedSqsSource,
  SourceRunHooks,
} from '../../broker/broker-source.adapter';
import { SqsSourceAdapter } from './sqs-source.adapter';

jest.setTimeout(60_000);

describe('SqsSourceAdapter against the SQS emulator', () => {
  let emulator: SqsEmulatorHandle;
  let sqs: SQSClient;
  let queueCounter = 0;

  beforeAll(async () => {
    emulator = await startSqsEmulator();
    sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });

  afterAll(async () => {
    sqs.destroy();
    await emulator.stop();
  });

  const adapter = (visibilityTimeoutSeconds = 30) =>
    new SqsSourceAdapter({
      defaultEndpoint: emulator.endpoint,
      visibilityTimeoutSeconds,
      // The emulator answers a long poll only when it is full (10) or its wait is over.
      waitTimeSeconds: 1,
      drainMs: 2000,
      logger: pino({ level: 'silent' }),
    });

  const source = (queueName: string, workers = 2): ResolvedSqsSource => ({
    broker: 'sqs',
    id: '0190a4d2-0000-7000-8000-000000000001',
    projectId: '0190a4d2-0000-7000-8000-000000000002',
    workers,
    sqs: {
      queueName,
      region: 'us-east-1',
      endpoint: undefined,
      accessKeyId: 'test',
      secretKey: 'test',
    },
  });

  const hooks = () => {
    const state = { acked: 0, deadLettered: 0, failed: [] as Error[], latencies: [] as number[] };
    const value: SourceRunHooks = {
      acked: (count, seconds) => {
        state.acked += count;
        state.latencies.push(...seconds);
      },
      deadLettered: (count) => {
        state.deadLettered += count;
      },
      failed: (error) => state.failed.push(error),
    };
    return { state, value };
  };

  async function queue(
    attributes: Record<string, string> = {},
  ): Promise<{ name: string; url: string }> {
    const name = `adapter-${++queueCounter}`;
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    return { name, url: QueueUrl! };
  }

  async function send(
    url: string,
    bodies: string[],
    attributes: Record<string, string> = {},
  ): Promise<void> {
    for (let i = 0; i < bodies.length; i += 10) {
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: bodies.slice(i, i + 10).map((body, k) => ({
            Id: String(k),
            MessageBody: body,
            MessageAttributes: Object.fromEntries(
              Object.entries(attributes).map(([key, value]) => [
                key,
                { DataType: 'String', StringValue: value },
              ]),
            ),
          })),
        }),
      );
    }
  }

  async function depth(url: string): Promise<number> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  }

  const until = async (
    check: () => boolean | Promise<boolean>,
    timeoutMs = 15_000,
  ): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  it('receives in batches of up to 10 with several workers and deletes what was acked', async () => {
    const { name, url } = await queue();
    await send(
      url,
      Array.from({ length: 95 }, (_, n) => JSON.stringify({ n })),
      { 'x-convoy-message-type': 'broadcast' },
    );
    const seen: BrokerMessage[] = [];
    const batchSizes: number[] = [];
    const handler: BrokerBatchHandler = (messages) => {
      seen.push(...messages);
      batchSizes.push(messages.length);
      return Promise.resolve(messages.map((): MessageDecision => ({ kind: 'ack' })));
    };
    const { state, value } = hooks();
    const running = await adapter().start(source(name, 3), handler, value);
    await until(() => state.acked === 95);
    await running.stop();
    expect(new Set(seen.map((message) => message.id)).size).toBe(95);
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(10);
    expect(seen[0]!.attributes).toEqual({ 'x-convoy-message-type': 'broadcast' });
    expect(seen[0]!.publishedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(state.latencies).toHaveLength(95);
    expect(await depth(url)).toBe(0);
  });

  it('moves rejected messages to the redrive dead-letter queue with the reason, and releases what it gives back', async () => {
    const dlq = await queue();
    const { QueueUrl } = { QueueUrl: dlq.url };
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const { name, url } = await queue({
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: Attributes!.QueueArn,
        maxReceiveCount: 5,
      }),
    });
    await send(url, ['not json', 'give back']);
    let releases = 0;
    const handler: BrokerBatchHandler = (messages) =>
      Promise.resolve(
        messages.map((message): MessageDecision => {
          if (message.body.toString() === 'not json')
            return { kind: 'reject', reason: 'malformed_json', detail: 'not JSON' };
          releases += 1;
          return releases === 1 ? { kind: 'release' } : { kind: 'ack' };
        }),
      );
    const { state, value } = hooks();
    const running = await adapter().start(source(name, 1), handler, value);
    // The released message comes straight back (visibility 0) and is acked the second time.
    await until(() => state.acked === 2 && releases === 2);
    await running.stop();
    expect(state.deadLettered).toBe(1);
    expect(await depth(url)).toBe(0);
    const { Messages } = await sqs.send(
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
    const { name, url } = await queue();
    await send(url, ['held']);
    let calls = 0;
    const handler: BrokerBatchHandler = async (messages, signal) => {
      calls += 1;
      // Kafka is away: hold until stopped.
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          resolve();
        });
      });
      return messages.map((): MessageDecision => ({ kind: 'release' }));
    };
    const { value } = hooks();
    const running = await adapter(2).start(source(name, 1), handler, value);
    await until(() => calls === 1);
    await new Promise((resolve) => setTimeout(resolve, 3500)); // longer than the 2 s visibility timeout
    const { Messages: whileHeld } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }),
    );
    expect(whileHeld ?? []).toHaveLength(0);
    expect(calls).toBe(1);
    await running.stop(); // drain (2 s) passes, the handler releases, visibility goes to 0
    const { Messages: afterStop } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }),
    );
    expect(afterStop?.[0]?.Body).toBe('held');
  });

  it('refuses to start a source whose queue does not exist', async () => {
    const { value } = hooks();
    await expect(
      adapter().start(source('no-such-queue'), () => Promise.resolve([]), value),
    ).rejects.toThrow(/does not exist/);
  });
});
