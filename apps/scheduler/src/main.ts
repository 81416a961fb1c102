import 'reflect-metadata';
import { loadConfigOrExit } from '@flotilla/config';
import { schedulerEnvSchema } from '@flotilla/contracts';
import { runService } from '@flotilla/runtime';
import { SchedulerModule } from './scheduler.module';

const config = loadConfigOrExit('scheduler', schedulerEnvSchema);

void runService({
  service: 'scheduler',
  port: config.PORT,
  host: process.env['HOST'],
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
  module: (logger) => SchedulerModule.forRoot(config, logger),
});
