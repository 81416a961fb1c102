import { PubSub, type Message, type Topic } from '@google-cloud/pubsub';
import pino from 'pino';
// Test-only: the emulator launcher (the integration tier runs against real emulators).
// eslint-disable-next-line @nx/enforce-module-boundaries
import {
  pubsubEmulatorClientOptions,
  startPubsubEmulator,
  type PubsubEmulatorHandle,
} from '@flotilla/testing';
import type {
  BrokerBatchHandler,
  BrokerMessage,
  MessageDecision,
  ResolvedGoogleSource,
  SourceRunHooks,
} from '../../broker/broker-source.adapter';
import { PubsubSourceAdapter } from './pubsub-source.adapter';

jest.setTimeout(90_000);

const PROJECT = 'flotilla-adapter-test';
const FAKE_KEY = JSON.stringify({ type: 'service_account', client_email: 'x@y', private_key: 'k' });

describe('PubsubSourceAdapter against the Pub/Sub emulator', () => {
  let emulator: PubsubEmulatorHandle;
  let pubsub: PubSub;
  let counter = 0;

  beforeAll(async () => {
    emulator = await startPubsubEmulator();
    pubsub = new PubSub(pubsubEmulatorClientOptions(emulator.host, PROJECT));
  });

  afterAll(async () => {
    await pubsub.close();
    await emulator.stop();
  });

  const adapter = () =>
    new PubsubSourceAdapter({
      emulatorHost: emulator.host,
      maxMessagesPerWorker: 50,
      drainMs: 1000,
      logger: pino({ level: 'silent' }),
    });

  const source = (subscriptionId: string, workers = 2): ResolvedGoogleSource => ({
    broker: 'google',
    id: '0190a4d2-0000-7000-8000-000000000001',
    projectId: '0190a4d2-0000-7000-8000-000000000002',
    workers,
    google: { projectId: PROJECT, subscriptionId, serviceAccount: FAKE_KEY },
  });

  const hooks = () => {
    const state = { acked: 0, deadLettered: 0, failed: [] as Error[] };
    const value: SourceRunHooks = {
      acked: (count) => {
        state.acked += count;
      },
      deadLettered: (count) => {
        state.deadLettered += count;
      },
      failed: (error) => {
        state.failed.push(error);
      },
    };
    return { state, value };
  };

  async function topicWithSubscription(
    options: { deadLetterTopic?: Topic } = {},
  ): Promise<{ topic: Topic; subscription: string }> {
    counter += 1;
    const [topic] = await pubsub.createTopic(`adapter-topic-${counter}`);
    const name = `adapter-sub-${counter}`;
    await topic.createSubscription(name, {
      ackDeadlineSeconds: 10,
      ...(options.deadLetterTopic
        ? {
            deadLetterPolicy: {
              deadLetterTopic: options.deadLetterTopic.name,
              maxDeliveryAttempts: 5,
            },
          }
        : {}),
    });
    return { topic, subscription: name };
  }

  const until = async (check: () => boolean, timeoutMs = 20_000): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  /** Everything a fresh subscriber gets within `ms` (acked so it does not come again). */
  async function drain(subscription: string, ms: number): Promise<Message[]> {
    const received: Message[] = [];
    const subscriber = pubsub.subscription(subscription);
    subscriber.on('message', (message: Message) => {
      received.push(message);
      message.ack();
    });
    await new Promise((resolve) => setTimeout(resolve, ms));
    await subscriber.close();
    return received;
  }

  it('streams messages in batches with their ids, attributes and publish times, and acks them', async () => {
    const { topic, subscription } = await topicWithSubscription();
    const ids = await Promise.all(
      Array.from({ length: 300 }, (_, n) =>
        topic.publishMessage({
          data: Buffer.from(JSON.stringify({ n })),
          attributes: { 'x-convoy-message-type': 'broadcast' },
        }),
      ),
    );
    const seen: BrokerMessage[] = [];
    let batches = 0;
    const handler: BrokerBatchHandler = (messages) => {
      batches += 1;
      seen.push(...messages);
      return Promise.resolve(messages.map((): MessageDecision => ({ kind: 'ack' })));
    };
    const { state, value } = hooks();
    const running = await adapter().start(source(subscription), handler, value);
    await until(() => state.acked >= 300);
    await running.stop();
    expect(new Set(seen.map((message) => message.id))).toEqual(new Set(ids));
    expect(batches).toBeLessThan(300); // messages arriving together are one batch
    expect(seen[0]!.attributes).toEqual({ 'x-convoy-message-type': 'broadcast' });
    expect(seen[0]!.publishedAt).toBeGreaterThan(Date.now() - 60_000);
    expect(await drain(subscription, 1500)).toHaveLength(0);
  });

  it('publishes rejected messages to the dead-letter topic with the reason and redelivers released ones', async () => {
    const [deadLetter] = await pubsub.createTopic(`adapter-dead-${counter + 1}`);
    const [deadLetterSub] = await deadLetter.createSubscription(`adapter-dead-sub-${counter + 1}`);
    const { topic, subscription } = await topicWithSubscription({ deadLetterTopic: deadLetter });
    await topic.publishMessage({ data: Buffer.from('not json') });
    await topic.publishMessage({ data: Buffer.from('give back') });
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
    const running = await adapter().start(source(subscription, 1), handler, value);
    await until(() => state.acked === 2 && releases === 2);
    await running.stop();
    expect(state.deadLettered).toBe(1);
    const dead = await drain(deadLetterSub.name, 1500);
    expect(dead.map((message) => message.data.toString())).toEqual(['not json']);
    expect(dead[0]!.attributes['x-flotilla-ingest-failure']).toBe('malformed_json');
  });

  it('acks nothing it holds, and gives held messages back when stopped', async () => {
    const { topic, subscription } = await topicWithSubscription();
    await topic.publishMessage({ data: Buffer.from('held') });
    let calls = 0;
    const handler: BrokerBatchHandler = async (messages, signal) => {
      calls += 1;
      await new Promise<void>((resolve) => {
        signal.addEventListener('abort', () => {
          resolve();
        });
      });
      return messages.map((): MessageDecision => ({ kind: 'release' }));
    };
    const { state, value } = hooks();
    const running = await adapter().start(source(subscription, 1), handler, value);
    await until(() => calls === 1);
    await running.stop();
    expect(state.acked).toBe(0);
    // Well before the 10 s ack deadline: the messages were nacked, not left to expire.
    const again = await drain(subscription, 2500);
    expect(again.map((message) => message.data.toString())).toEqual(['held']);
  });

  it('refuses to start a source whose subscription does not exist', async () => {
    const { value } = hooks();
    await expect(
      adapter().start(source('no-such-subscription'), () => Promise.resolve([]), value),
    ).rejects.toThrow(/NOT_FOUND|not found/i);
  });
});
