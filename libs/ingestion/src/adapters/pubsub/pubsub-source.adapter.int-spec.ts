import pino from 'pino';
// Test-only: the emulator launcher (the integration tier runs against real emulators).
// eslint-disable-next-line @nx/enforce-module-boundaries
import { PubsubTestTopic, startPubsubEmulator, type PubsubEmulatorHandle } from '@flotilla/testing';
import type { ResolvedGoogleSource } from '../../broker/broker-source.adapter';
import * as kit from '../adapter-test.kit';
import { PubsubSourceAdapter } from './pubsub-source.adapter';

jest.setTimeout(90_000);

const PROJECT = 'flotilla-adapter-test';
const FAKE_KEY = JSON.stringify({ type: 'service_account', client_email: 'x@y', private_key: 'k' });

describe('PubsubSourceAdapter against the Pub/Sub emulator', () => {
  let emulator: PubsubEmulatorHandle;
  const topics: PubsubTestTopic[] = [];

  beforeAll(async () => {
    emulator = await startPubsubEmulator();
  });

  afterAll(async () => {
    for (const topic of topics) await topic.close();
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
    ...kit.TEST_SOURCE,
    workers,
    google: { projectId: PROJECT, subscriptionId, serviceAccount: FAKE_KEY },
  });

  /** A topic and its subscription (dead-lettering to `deadLetter`'s topic). */
  async function topicWithSubscription(deadLetter?: PubsubTestTopic): Promise<PubsubTestTopic> {
    const topic = await PubsubTestTopic.create(emulator.host, PROJECT, `adapter-${topics.length}`, {
      deadLetterTopic: deadLetter?.topic.name,
    });
    topics.push(topic);
    return topic;
  }

  it('streams messages in batches with their ids, attributes and publish times, and acks them', async () => {
    const topic = await topicWithSubscription();
    const ids = await topic.publish(kit.numberedBroadcasts(300));
    const { handler, seen, batchSizes } = kit.ackEverything();
    const { state, value } = kit.recordingHooks();
    const running = await adapter().start(source(topic.subscription), handler, value);
    await kit.until(() => state.acked >= 300);
    await running.stop();
    expect(new Set(seen.map((message) => message.id))).toEqual(new Set(ids));
    expect(batchSizes.length).toBeLessThan(300); // messages arriving together are one batch
    kit.expectBroadcastMetadata(seen);
    expect(await topic.drain(1500)).toHaveLength(0);
  });

  it('publishes rejected messages to the dead-letter topic with the reason and redelivers released ones', async () => {
    const deadLetter = await topicWithSubscription();
    const topic = await topicWithSubscription(deadLetter);
    await topic.publish([{ body: 'not json' }, { body: 'give back' }], 1);
    const { handler, releases } = kit.rejectOneReleaseOnce();
    const { state, value } = kit.recordingHooks();
    const running = await adapter().start(source(topic.subscription, 1), handler, value);
    await kit.until(() => state.acked === 2 && releases() === 2);
    await running.stop();
    expect(state.deadLettered).toBe(1);
    const dead = await deadLetter.drain(1500);
    expect(dead.map((message) => message.data.toString())).toEqual(['not json']);
    expect(dead[0]!.attributes['x-flotilla-ingest-failure']).toBe('malformed_json');
  });

  it('acks nothing it holds, and gives held messages back when stopped', async () => {
    const topic = await topicWithSubscription();
    await topic.publish([{ body: 'held' }]);
    const { handler, calls } = kit.holdUntilAborted();
    const { state, value } = kit.recordingHooks();
    const running = await adapter().start(source(topic.subscription, 1), handler, value);
    await kit.until(() => calls() === 1);
    await running.stop();
    expect(state.acked).toBe(0);
    // Well before the 10 s ack deadline: the messages were nacked, not left to expire.
    const again = await topic.drain(2500);
    expect(again.map((message) => message.data.toString())).toEqual(['held']);
  });

  it('refuses to start a source whose subscription does not exist', async () => {
    const { value } = kit.recordingHooks();
    await expect(
      adapter().start(source('no-such-subscription'), () => Promise.resolve([]), value),
    ).rejects.toThrow(/NOT_FOUND|not found/i);
  });
});
