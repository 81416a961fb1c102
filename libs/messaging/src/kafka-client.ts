import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import type { Logger } from '@flotilla/observability';

export interface KafkaClientOptions {
  brokers: readonly string[];
  clientId: string;
}

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafkaClient(options: KafkaClientOptions, logger: Logger): Kafka {
  const kafkaLogger = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    // Reconnects are ours to drive (the producer and consumer loops retry forever with backoff).
    retry: { initialRetryTime: 100, maxRetryTime: 5000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        kafkaLogger[levels[level] ?? 'info'](extra, message);
      },
  });
}
