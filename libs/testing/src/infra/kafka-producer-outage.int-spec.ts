// The producer's retry budget against the real mock broker: ingest's 503 within 1 s (issue 11)
// rests on a send giving up that fast, which kafkajs's nested reconnect retries used to prevent.
import { TOPICS } from '@flotilla/contracts';
import {
  BrokerUnavailableError,
  createKafkaClient,
  KafkaProducerService,
} from '@flotilla/messaging';
import { createLogger } from '@flotilla/observability';
import { startKafkaMock, type KafkaMockHandle } from './kafka-mock.launcher';

jest.setTimeout(60_000);

describe('KafkaProducerService while the broker is down', () => {
  let mock: KafkaMockHandle;
  const logger = createLogger('producer-outage', process.env['TRANSPORT_SPEC_LOG'] ?? 'silent');

  beforeAll(async () => {
    mock = await startKafkaMock();
  });

  afterAll(async () => {
    await mock.stop();
  });

  it('gives a send up within 1 s, every time, and sends again once the broker is back', async () => {
    const kafka = createKafkaClient(
      { brokers: mock.brokers, clientId: 'producer-outage', idempotentProducer: false },
      logger,
    );
    const producer = new KafkaProducerService(kafka, logger);
    const send = (key: string) => producer.send(TOPICS.events.name, [{ key, value: key }]);
    try {
      await send('before');
      await mock.brokerDown(1);
      try {
        for (let i = 0; i < 3; i += 1) {
          const started = Date.now();
          await expect(send(`refused-${i}`)).rejects.toBeInstanceOf(BrokerUnavailableError);
          const tookMs = Date.now() - started;
          process.stdout.write(`send #${i} given up after ${tookMs} ms\n`);
          expect({ i, tookMs, withinOneSecond: tookMs <= 1000 }).toMatchObject({
            i,
            withinOneSecond: true,
          });
        }
      } finally {
        await mock.brokerUp(1);
      }
      await expect(send('after')).resolves.toBeUndefined();
    } finally {
      await producer.disconnect();
    }
  });
});
