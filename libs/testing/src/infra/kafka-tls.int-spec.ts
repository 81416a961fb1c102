// Kafka TLS settings, from the environment as a service reads them to a produced and consumed
// message, against the Kafka mock behind a TLS-terminating proxy on loopback (the mock speaks
// plaintext only, and no SASL: SASL is covered by the option mapping's unit tests).
import { dispatcherEnvSchema } from '@flotilla/contracts';
import { createKafkaClient, kafkaClientOptionsFromEnv } from '@flotilla/messaging';
import { createLogger } from '@flotilla/observability';
import { startKafkaMock, type KafkaMockHandle } from './kafka-mock.launcher';
import { startKafkaTlsProxy, type KafkaTlsProxy } from './kafka-tls-proxy';
import { makeTestCertificates, type TestCertificates } from './test-certificates';

jest.setTimeout(60_000);

const TOPIC = 'tls-spec';
const PROXY_HOST = '127.0.0.2';

describe('Kafka over TLS (mock broker behind a TLS proxy requiring client certificates)', () => {
  let mock: KafkaMockHandle;
  let certificates: TestCertificates;
  let proxy: KafkaTlsProxy;
  const logger = createLogger('kafka-tls-int-spec', 'silent');

  beforeAll(async () => {
    mock = await startKafkaMock({ brokers: 2, topics: [{ name: TOPIC, partitions: 2 }] });
    certificates = makeTestCertificates(PROXY_HOST);
    proxy = await startKafkaTlsProxy(mock.brokers, PROXY_HOST, {
      ca: certificates.pem(certificates.caFile),
      cert: certificates.pem(certificates.serverCertFile),
      key: certificates.pem(certificates.serverKeyFile),
      requestCert: true,
      rejectUnauthorized: true,
    });
  });

  afterAll(async () => {
    await proxy.stop();
    await mock.stop();
    certificates.remove();
  });

  const mutualTls = () => ({
    KAFKA_SSL: 'true',
    KAFKA_SSL_CA_FILE: certificates.caFile,
    KAFKA_SSL_CERT_FILE: certificates.clientCertFile,
    KAFKA_SSL_KEY_FILE: certificates.clientKeyFile,
  });

  function client(env: Record<string, string>) {
    const config = dispatcherEnvSchema.parse({
      DATABASE_URL: 'postgresql://unused@127.0.0.1:5432/unused',
      FLOTILLA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      KAFKA_BROKERS: proxy.brokers.join(','),
      ...env,
    });
    return createKafkaClient(kafkaClientOptionsFromEnv(config, 'tls-spec'), logger);
  }

  it('produces and consumes with the CA, client certificate and key from KAFKA_SSL_* files', async () => {
    const kafka = client({ ...mutualTls(), KAFKA_IDEMPOTENT_PRODUCER: 'false' });
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    const consumer = kafka.consumer({ groupId: 'tls-spec', maxWaitTimeInMs: 100 });
    const before = proxy.accepted();
    try {
      await producer.connect();
      await producer.send({ topic: TOPIC, messages: [{ key: 'k', value: 'over tls' }] });
      await consumer.connect();
      await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
      const received = await new Promise<string>((resolve) => {
        void consumer.run({
          eachMessage: ({ message }) => {
            resolve(message.value?.toString('utf8') ?? '');
            return Promise.resolve();
          },
        });
      });
      expect(received).toBe('over tls');
      // Bootstrap, then the leaders and the group coordinator: every connection was TLS.
      expect(proxy.accepted() - before).toBeGreaterThanOrEqual(2);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });

  it('refuses a broker certificate that the system roots do not vouch for (no KAFKA_SSL_CA_FILE)', async () => {
    const admin = client({ KAFKA_SSL: 'true' }).admin({ retry: { retries: 0 } });
    await expect(admin.connect()).rejects.toThrow(/self[- ]signed|unable to (get|verify)/i);
    await admin.disconnect();
  });

  it('is refused by a broker requiring a client certificate when none is configured', async () => {
    const before = proxy.accepted();
    const admin = client({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: certificates.caFile }).admin({
      retry: { retries: 0 },
    });
    await expect(admin.connect()).rejects.toThrow();
    await admin.disconnect();
    expect(proxy.accepted()).toBe(before);
  });

  it('makes every producer idempotent by default, whatever the caller asks (the mock refuses them)', async () => {
    const producer = client(mutualTls()).producer({ idempotent: false, retry: { retries: 1 } });
    try {
      // InitProducerId goes to the controller the mock reports, id 0, a broker it does not have.
      await expect(producer.connect()).rejects.toThrow('Broker 0 not found in the cached metadata');
    } finally {
      await producer.disconnect();
    }
  });
});
