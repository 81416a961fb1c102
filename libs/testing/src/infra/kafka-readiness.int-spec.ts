// Readiness against the real mock broker: `/health` must reflect every consumer a service runs.
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { TOPICS } from '@flotilla/contracts';
import {
  KafkaTransportFactory,
  MessagingModule,
  type BatchOutcome,
  type KafkaBatchTransport,
} from '@flotilla/messaging';
import { createLogger, HealthRegistry, ObservabilityModule } from '@flotilla/observability';
import { eventually } from '../eventually';
import { startKafkaMock, type KafkaMockHandle } from './kafka-mock.launcher';

jest.setTimeout(90_000);

/** Kafka's SyncGroup request, and INVALID_REQUEST: an answer kafkajs does not retry. */
const SYNC_GROUP_API_KEY = 14;
const INVALID_REQUEST = 42;

describe('readiness of a service running a Kafka consumer', () => {
  let mock: KafkaMockHandle;
  let app: INestApplicationContext;
  let transport: KafkaBatchTransport | undefined;
  const logger = createLogger('readiness-int-spec', process.env['TRANSPORT_SPEC_LOG'] ?? 'silent');

  beforeAll(async () => {
    mock = await startKafkaMock();
    @Module({
      imports: [
        ObservabilityModule.forRoot('readiness-int-spec', logger),
        MessagingModule.forRoot({
          brokers: mock.brokers,
          clientId: 'readiness-int-spec',
          idempotentProducer: false,
        }),
      ],
    })
    class ReadinessSpecModule {}
    app = await NestFactory.createApplicationContext(ReadinessSpecModule, { logger: false });
    await app.init();
  });

  afterAll(async () => {
    await transport?.close();
    await app.close();
    await mock.stop();
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
    await mock.pushRequestErrors(SYNC_GROUP_API_KEY, INVALID_REQUEST, 3);
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
