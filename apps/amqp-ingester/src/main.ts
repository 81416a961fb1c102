import 'reflect-metadata';
import { loadConfigOrExit } from '@flotilla/config';
import { amqpIngesterEnvSchema } from '@flotilla/contracts';
import { runService } from '@flotilla/runtime';
import { AmqpIngesterModule } from './amqp-ingester.module';

const config = loadConfigOrExit('amqp-ingester', amqpIngesterEnvSchema);

void runService({
  service: 'amqp-ingester',
  port: config.PORT,
  host: process.env['HOST'],
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
  module: (logger) => AmqpIngesterModule.forRoot(config, logger),
});
