import 'reflect-metadata';
import { loadConfigOrExit } from '@flotilla/config';
import { pubsubIngesterEnvSchema } from '@flotilla/contracts';
import { runService } from '@flotilla/runtime';
import { PubsubIngesterModule } from './pubsub-ingester.module';

const config = loadConfigOrExit('pubsub-ingester', pubsubIngesterEnvSchema);

void runService({
  service: 'pubsub-ingester',
  port: config.PORT,
  host: process.env['HOST'],
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
  module: (logger) => PubsubIngesterModule.forRoot(config, logger),
});
