import 'reflect-metadata';
import express from 'express';
import { loadConfigOrExit } from '@flotilla/config';
import { ingestApiEnvSchema } from '@flotilla/contracts';
import { runService } from '@flotilla/runtime';
import { IngestApiModule } from './ingest-api.module';

const config = loadConfigOrExit('ingest-api', ingestApiEnvSchema);

void runService({
  service: 'ingest-api',
  port: config.PORT,
  host: process.env['HOST'],
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
  module: (logger) => IngestApiModule.forRoot(config, logger),
  configure: (app) => {
    // Bodies are read raw and parsed per route, so malformed JSON gets our error and event data
    // keeps its exact bytes.
    // `/ingest/{maskID}` reads its own body, bounded by the source's project limit.
    app.use(express.raw({ type: (req) => !isIncomingWebhook(req.url), limit: '1mb' }));
  },
});

function isIncomingWebhook(url: string | undefined): boolean {
  return url?.startsWith('/ingest/') ?? false;
}
