// Readiness against the real mock broker: `/health` must reflect every consumer a service runs.
import type { INestApplicationContext } from '@nestjs/common';
import { TOPICS } from '@flotilla/contracts';
import {
  KafkaTransportFactory,
  type BatchOutcome,
  type KafkaBatchTransport,
} from '@flotilla/messaging';
import { HealthRegistry } from '@flotilla/observability';
import { eventually } from '../eventually';
import { INVALID_REQUEST, SYNC_GROUP_API_KEY } from './kafka-mock.launcher';
import { startMessagingContext, type MessagingContext } from './messaging-context';

jest.setTimeout(90_000);

describe('readiness of a service running a Kafka consumer', () => {
  let context: MessagingContext;
  let app: INestApplicationContext;
  let transport: KafkaBatchTransport | undefined;

  beforeAll(async () => {
    context = await startMessagingContext('readiness-int-spec');
    app = context.app;
  });

  afterAll(async () => {
    await transport?.close();
    await context.close();
  });

  it('answers not ready while its consumer has crashed, and ready again once it is back', async () => {
    const health = app.get(HealthRegistry);
    transport = app.get(KafkaTransportFactory).create({
      groupId: 'readiness-int-spec',
      topic: TOPICS.deliveries.name,
      batchSize: 10,
      maxInFlight: 2,
      exclusive: 'key',
      maxWaitTimeInMs: 100,
      sessionTimeoutMs: 6000,
    });
    transport.addHandler(
      TOPICS.deliveries.name,
      (): Promise<BatchOutcome> => Promise.resolve({ deadLetters: [] }),
      true,
    );
    // Its first group syncs fail the way a malformed answer does: kafkajs gives the consumer up
    // each time, and the transport starts a new one a second later.
    await context.mock.pushRequestErrors(SYNC_GROUP_API_KEY, INVALID_REQUEST, 3);
    const started = transport;
    await new Promise<void>((resolve, reject) => {
      started.listen((error?: unknown) => {
        if (error) reject(error instanceof Error ? error : new Error('did not start'));
        else resolve();
      });
    });
    await eventually(
      async () => {
        const report = await health.run();
        expect(report.ready).toBe(false);
        expect(report.checks['consumer readiness-int-spec']).toMatch(/^down/);
      },
      30_000,
      50,
    );
    await eventually(async () => {
      const report = await health.run();
      expect(report.checks['consumer readiness-int-spec']).toBe('up');
      expect(report.ready).toBe(true);
    }, 60_000);
  });
});
