// Consumer lag and dead-letter metrics against the real mock broker: what the chart's
// FlotillaConsumerLagHigh and FlotillaDeadLettersGrowing alerts read.
import type { INestApplicationContext } from '@nestjs/common';
import { TOPICS } from '@flotilla/contracts';
import {
  KafkaProducerService,
  KafkaTransportFactory,
  type BatchOutcome,
  type ConsumedMessage,
  type KafkaBatchTransport,
} from '@flotilla/messaging';
import { MetricsRegistry } from '@flotilla/observability';
import { metricValue } from '../services/service-process';
import { eventually } from '../eventually';
import { startMessagingContext, type MessagingContext } from './messaging-context';

jest.setTimeout(90_000);

describe('consumer lag and dead letters as metrics', () => {
  let context: MessagingContext;
  let app: INestApplicationContext;
  let transport: KafkaBatchTransport | undefined;

  beforeAll(async () => {
    context = await startMessagingContext('lag-int-spec');
    app = context.app;
  });

  afterAll(async () => {
    await transport?.close();
    await context.close();
  });

  it('shows the uncommitted backlog per partition, then zero once handled; counts dead letters', async () => {
    const producer = app.get(KafkaProducerService);
    await producer.connect();
    const values = Array.from({ length: 30 }, (_, n) => (n === 7 ? 'bad' : `message-${n}`));
    await producer.send(
      TOPICS.deliveries.name,
      values.map((value, n) => ({ key: `endpoint-${n % 5}`, value })),
    );
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    transport = app.get(KafkaTransportFactory).create({
      groupId: 'lag-int-spec',
      topic: TOPICS.deliveries.name,
      batchSize: 10,
      maxInFlight: 2,
      exclusive: 'key',
      maxWaitTimeInMs: 100,
      sessionTimeoutMs: 6000,
    });
    transport.addHandler(
      TOPICS.deliveries.name,
      async (messages: ConsumedMessage[]): Promise<BatchOutcome> => {
        await held;
        return {
          deadLetters: messages
            .filter((message) => message.value?.toString() === 'bad')
            .map((message) => ({ message, reason: 'test: unparseable' })),
        };
      },
      true,
    );
    const started = transport;
    await new Promise<void>((resolve, reject) => {
      started.listen((error?: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error('did not start'));
        else resolve();
      });
    });
    const registry = app.get(MetricsRegistry).registry;
    const lag = async () =>
      metricValue(await registry.metrics(), 'flotilla_kafka_consumer_lag_messages', {
        group: 'lag-int-spec',
        topic: TOPICS.deliveries.name,
      });
    // Held by the handler: nothing is committed, the whole backlog shows.
    await eventually(async () => {
      expect(await lag()).toBe(values.length);
    }, 30_000);
    release();
    await eventually(async () => {
      expect(await lag()).toBe(0);
    }, 30_000);
    expect(
      metricValue(await registry.metrics(), 'flotilla_kafka_dead_letters_total', {
        topic: TOPICS.deliveries.name,
      }),
    ).toBe(1);
  });
});
