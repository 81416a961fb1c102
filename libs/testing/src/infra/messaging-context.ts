import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagingModule } from '@flotilla/messaging';
import { createLogger, ObservabilityModule } from '@flotilla/observability';
import { startKafkaMock, type KafkaMockHandle } from './kafka-mock.launcher';

export interface MessagingContext {
  mock: KafkaMockHandle;
  app: INestApplicationContext;
  /** Closes the Nest context, then stops its broker. */
  close: () => Promise<void>;
}

/**
 * A fresh Kafka mock broker and a Nest context wired as a service wires messaging (observability,
 * health, metrics, the transport factory), for integration tests of what a service exposes about
 * its consumers. Logs are silent unless TRANSPORT_SPEC_LOG names a level.
 */
export async function startMessagingContext(name: string): Promise<MessagingContext> {
  const mock = await startKafkaMock();
  const logger = createLogger(name, process.env['TRANSPORT_SPEC_LOG'] ?? 'silent');
  @Module({
    imports: [
      ObservabilityModule.forRoot(name, logger),
      MessagingModule.forRoot({ brokers: mock.brokers, clientId: name, idempotentProducer: false }),
    ],
  })
  class MessagingSpecModule {}
  const app = await NestFactory.createApplicationContext(MessagingSpecModule, { logger: false });
  await app.init();
  return {
    mock,
    app,
    close: async () => {
      await app.close();
      await mock.stop();
    },
  };
}
