import { randomUUID } from 'node:crypto';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { PubSub } from '@google-cloud/pubsub';
// This spec tests the Kafka launcher itself, so it talks to the broker directly rather than through libs/messaging.
// eslint-disable-next-line no-restricted-imports
import { Kafka, logLevel, type Consumer, type Producer } from 'kafkajs';
import { Client } from 'pg';
import { TOPICS } from '@flotilla/contracts';
import { createDatabase, dropDatabase, ensurePostgresRunning } from './postgres';
import { startKafkaMock, type KafkaMockHandle } from './kafka-mock.launcher';
import { pubsubEmulatorClientOptions, startPubsubEmulator } from './pubsub-emulator.launcher';
import { startSqsEmulator } from './sqs-emulator.launcher';

jest.setTimeout(120_000);

describe('Kafka mock launcher', () => {
  let mock: KafkaMockHandle;
  let kafka: Kafka;

  beforeAll(async () => {
    mock = await startKafkaMock({ brokers: 3 });
    kafka = new Kafka({
      clientId: 'infra-int-spec',
      brokers: mock.brokers,
      logLevel: logLevel.NOTHING,
    });
  });

  afterAll(async () => {
    await mock.stop();
  });

  // The mock cannot create topics on demand nor serve the idempotent producer (no controller).
  const newProducer = (): Producer =>
    kafka.producer({ allowAutoTopicCreation: false, idempotent: false });

  it('produces and consumes through a consumer group', async () => {
    expect(mock.brokers).toHaveLength(3);
    const producer = newProducer();
    const consumer: Consumer = kafka.consumer({
      groupId: `infra-int-spec-${randomUUID()}`,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: 500, // disconnect waits for the fetch in flight
    });
    try {
      await producer.connect();
      await consumer.connect();
      await consumer.subscribe({ topic: TOPICS.events.name, fromBeginning: true });
      const value = `hello ${randomUUID()}`;
      const received = new Promise<string>((resolve) => {
        void consumer.run({
          eachMessage: ({ message }) => {
            if (message.value?.toString() === value) resolve(value);
            return Promise.resolve();
          },
        });
      });
      await producer.send({ topic: TOPICS.events.name, messages: [{ key: 'k1', value }] });
      await expect(received).resolves.toBe(value);
    } finally {
      // Before any fault injection: kafkajs 2.2.4 can spin forever in consumer.disconnect() when it
      // is called within a few seconds of a broker going away (its fetchers are being rebuilt).
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('injects request errors and takes brokers down and up', async () => {
    const producer = newProducer();
    try {
      await producer.connect();
      const send = () =>
        producer.send({ topic: TOPICS.deliveries.name, messages: [{ key: 'k', value: 'v' }] });
      // MESSAGE_TOO_LARGE (10) on the next Produce request (API key 0): not retriable, so it surfaces.
      await mock.pushRequestErrors(0, 10, 1);
      await expect(send()).rejects.toThrow(/larger than the max message size/);
      await expect(send()).resolves.toHaveLength(1);
    } finally {
      await producer.disconnect();
    }
    await expect(mock.brokerDown(2)).resolves.toBeUndefined();
    await expect(mock.brokerUp(2)).resolves.toBeUndefined();
    await expect(mock.brokerDown(42)).rejects.toThrow(/refused "down 42"/);
  });
});

describe('Pub/Sub emulator launcher', () => {
  it('round-trips a message', async () => {
    const emulator = await startPubsubEmulator();
    const pubsub = new PubSub(pubsubEmulatorClientOptions(emulator.host, 'flotilla-test'));
    try {
      const [topic] = await pubsub.createTopic('infra-int-spec');
      const [subscription] = await topic.createSubscription('infra-int-spec-sub');
      await topic.publishMessage({ data: Buffer.from('hello pubsub') });
      const received = await new Promise<string>((resolve, reject) => {
        subscription.once('error', reject);
        subscription.once('message', (message: { data: Buffer; ack(): void }) => {
          message.ack();
          resolve(message.data.toString());
        });
      });
      expect(received).toBe('hello pubsub');
      await subscription.close();
    } finally {
      await pubsub.close();
      await emulator.stop();
    }
  });
});

describe('SQS emulator launcher', () => {
  it('round-trips a message', async () => {
    const emulator = await startSqsEmulator();
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: emulator.endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'infra-int-spec' }));
      expect(QueueUrl).toContain(emulator.endpoint);
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello sqs' }));
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 5 }),
      );
      expect(Messages?.[0]?.Body).toBe('hello sqs');
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl, ReceiptHandle: Messages?.[0]?.ReceiptHandle }),
      );
      const { Messages: after } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }),
      );
      expect(after ?? []).toHaveLength(0);
    } finally {
      sqs.destroy();
      await emulator.stop();
    }
  });
});

describe('PostgreSQL helpers', () => {
  it('creates and drops a database', async () => {
    await ensurePostgresRunning();
    const name = `flotilla_infra_${process.pid}`;
    const url = await createDatabase(name);
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
      expect(rows[0]?.db).toBe(name);
    } finally {
      await client.end();
    }
    await dropDatabase(name);
  });
});
