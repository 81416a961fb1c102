import { PubSub, type Message, type Topic } from '@google-cloud/pubsub';
import { pubsubEmulatorClientOptions } from '../infra/pubsub-emulator.launcher';
import type { ProducedMessage } from './sqs-test-queue';

/** A service account key in the right shape; the emulator ignores credentials. */
export const FAKE_SERVICE_ACCOUNT = Buffer.from(
  JSON.stringify({
    type: 'service_account',
    project_id: 'flotilla-local',
    client_email: 'ingester@flotilla-local.iam.gserviceaccount.com',
    private_key: '-----BEGIN PRIVATE KEY-----\nnot-a-real-key\n-----END PRIVATE KEY-----\n',
  }),
).toString('base64');

/**
 * A topic and subscription on the Pub/Sub emulator, as a producer sees them: made and fed with
 * the official client (`@google-cloud/pubsub`).
 */
export class PubsubTestTopic {
  private constructor(
    readonly pubsub: PubSub,
    readonly topic: Topic,
    readonly subscription: string,
  ) {}

  static async create(
    emulatorHost: string,
    projectId: string,
    name: string,
    options: { deadLetterTopic?: string; ackDeadlineSeconds?: number } = {},
  ): Promise<PubsubTestTopic> {
    const pubsub = new PubSub(pubsubEmulatorClientOptions(emulatorHost, projectId));
    const [topic] = await pubsub.createTopic(`${name}-topic`);
    const subscription = `${name}-sub`;
    await topic.createSubscription(subscription, {
      ackDeadlineSeconds: options.ackDeadlineSeconds ?? 10,
      ...(options.deadLetterTopic
        ? { deadLetterPolicy: { deadLetterTopic: options.deadLetterTopic, maxDeliveryAttempts: 5 } }
        : {}),
    });
    return new PubsubTestTopic(pubsub, topic, subscription);
  }

  /** Publishes with the client's batching, `concurrency` messages outstanding; returns the ids. */
  async publish(messages: readonly ProducedMessage[], concurrency = 500): Promise<string[]> {
    const ids = new Array<string>(messages.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < messages.length) {
        const index = next++;
        const message = messages[index]!;
        ids[index] = await this.topic.publishMessage({
          data: Buffer.from(message.body),
          attributes: message.attributes ?? {},
        });
      }
    };
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
    return ids;
  }

  /** What a fresh subscriber of the subscription gets within `ms`, acked so it does not come again. */
  async drain(ms: number): Promise<Message[]> {
    const received: Message[] = [];
    const subscriber = this.pubsub.subscription(this.subscription);
    subscriber.on('message', (message: Message) => {
      received.push(message);
      message.ack();
    });
    await new Promise((resolve) => setTimeout(resolve, ms));
    await subscriber.close();
    return received;
  }

  async close(): Promise<void> {
    await this.pubsub.close();
  }
}
