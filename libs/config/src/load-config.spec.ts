import { ConfigError, loadConfig } from './load-config';
import { dispatcherEnvSchema, ingestApiEnvSchema } from '@flotilla/contracts';

describe('loadConfig', () => {
  it('parses a valid environment with defaults', () => {
    const config = loadConfig('dispatcher', dispatcherEnvSchema, {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/flotilla',
      FLOTILLA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
    });
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(config.PORT).toBe(5006);
  });

  it('lists every problem at once', () => {
    let error: unknown;
    try {
      loadConfig('ingest-api', ingestApiEnvSchema, { KAFKA_BROKERS: 'nope', PORT: '99999' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('DATABASE_URL: is required');
    expect(message).toContain('FLOTILLA_ADMIN_TOKEN: is required');
    expect(message).toContain('KAFKA_BROKERS');
    expect(message).toContain('PORT');
    expect((error as ConfigError).problems.length).toBeGreaterThanOrEqual(4);
  });
});
