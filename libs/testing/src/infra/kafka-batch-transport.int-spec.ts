// The messaging transport against the real mock broker. It lives here because libs/testing
// depends on libs/messaging, not the other way round.
import { TOPICS } from '@flotilla/contracts';
import {
  createKafkaClient,
  KafkaBatchTransport,
  KafkaProducerService,
  type BatchOutcome,
  type ConsumedMessage,
} from '@flotilla/messaging';
import { createLogger } from '@flotilla/observability';
import { eventually } from '../eventually';
import {
  INVALID_REQUEST,
  startKafkaMock,
  SYNC_GROUP_API_KEY,
  type KafkaMockHandle,
} from './kafka-mock.launcher';

jest.setTimeout(60_000);

describe('KafkaBatchTransport against the Kafka mock broker', () => {
  let mock: KafkaMockHandle;
  const logger = createLogger('transport-int-spec', process.env['TRANSPORT_SPEC_LOG'] ?? 'silent');

  beforeAll(async () => {
    mock = await startKafkaMock();
  });

  afterAll(async () => {
    await mock.stop();
  });

  it('starts a new consumer when kafkajs gives up on a non-retriable error, and then consumes', async () => {
    const kafka = createKafkaClient(
      { brokers: mock.brokers, clientId: 'transport-int-spec', idempotentProducer: false },
      logger,
    );
    const producer = new KafkaProducerService(kafka, logger);
    const transport = new KafkaBatchTransport(kafka, producer, logger, {
      groupId: 'transport-int-spec-crash',
      topic: TOPICS.deliveries.name,
      batchSize: 10,
      maxInFlight: 2,
      exclusive: 'key',
      maxWaitTimeInMs: 100,
      sessionTimeoutMs: 6000,
    });
    const received: string[] = [];
    transport.addHandler(
      TOPICS.deliveries.name,
      (messages: ConsumedMessage[]): Promise<BatchOutcome> => {
        for (const message of messages) received.push(message.value?.toString() ?? '');
        return Promise.resolve({ deadLetters: [] });
      },
      true,
    );
    // The group's first SyncGroup fails the way a malformed answer does: kafkajs stops the consumer.
    await mock.pushRequestErrors(SYNC_GROUP_API_KEY, INVALID_REQUEST, 1);
    await new Promise<void>((resolve, reject) => {
      transport.listen((error?: unknown) => {
        if (error)
          reject(error instanceof Error ? error : new Error('the transport did not start'));
        else resolve();
      });
    });
    try {
      await producer.connect();
      const values = Array.from({ length: 20 }, (_, n) => `after-crash-${n}`);
      await producer.send(
        TOPICS.deliveries.name,
        values.map((value, n) => ({ key: `endpoint-${n % 4}`, value })),
      );
      await eventually(() => {
        expect([...received].sort()).toEqual([...values].sort());
        return Promise.resolve();
      }, 30_000);
      expect(transport.isReady).toBe(true);
    } finally {
      await transport.close();
      await producer.disconnect();
    }
  });

  it('has left its consumer group when either of two concurrent close() calls resolves', async () => {
    const kafka = createKafkaClient(
      { brokers: mock.brokers, clientId: 'transport-int-spec', idempotentProducer: false },
      logger,
    );
    const producer = new KafkaProducerService(kafka, logger);
    const groupId = 'transport-int-spec-close';
    const transport = new KafkaBatchTransport(kafka, producer, logger, {
      groupId,
      topic: TOPICS.deliveries.name,
      batchSize: 10,
      maxInFlight: 2,
      maxWaitTimeInMs: 100,
      sessionTimeoutMs: 30_000,
    });
    transport.addHandler(
      TOPICS.deliveries.name,
      (): Promise<BatchOutcome> => Promise.resolve({ deadLetters: [] }),
      true,
    );
    await new Promise<void>((resolve, reject) => {
      transport.listen((error?: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error('did not start'));
        else resolve();
      });
    });
    // kafkajs emits this once the consumer has left its group and closed its connections.
    let disconnected = false;
    transport
      .unwrap<{ on: (event: string, listener: () => void) => void }>()
      .on('consumer.disconnect', () => {
        disconnected = true;
      });
    // Nest closes a microservice twice at shutdown and exits once either call returns.
    const first = transport.close();
    await transport.close();
    expect(disconnected).toBe(true);
    await first;
  });
});
