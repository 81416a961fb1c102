import 'reflect-metadata';
import { loadConfigOrExit } from '@flotilla/config';
import { sqsIngesterEnvSchema } from '@flotilla/contracts';
import { runService } from '@flotilla/runtime';
import { SqsIngesterModule } from './sqs-ingester.module';

const config = loadConfigOrExit('sqs-ingester', sqsIngesterEnvSchema);

void runService({
  service: 'sqs-ingester',
  port: config.PORT,
  host: process.env['HOST'],
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
  module: (logger) => SqsIngesterModule.forRoot(config, logger),
});
