import 'reflect-metadata';
import type { DynamicModule, INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomTransportStrategy } from '@nestjs/microservices';
import { ExpressAdapter } from '@nestjs/platform-express';
import express from 'express';
import { ConfigError } from '@flotilla/config';
import {
  createLogger,
  HealthRegistry,
  accessLogMiddleware,
  httpMetricsMiddleware,
  MetricsRegistry,
  PinoNestLogger,
  startTracing,
  tracingMiddleware,
  type Logger,
} from '@flotilla/observability';
import type { Server } from 'node:http';

export interface RunServiceOptions {
  service: string;
  /** Builds the root module; throws ConfigError when the environment is wrong. */
  module: (logger: Logger) => Type | DynamicModule | Promise<Type | DynamicModule>;
  port: number;
  host?: string;
  shutdownTimeoutMs?: number;
  /** A whole request (headers and body) must arrive within this; default 30 000 ms. */
  requestTimeoutMs?: number;
  /** A request's headers must arrive within this; default 10 000 ms (at most requestTimeoutMs). */
  headersTimeoutMs?: number;
  /** Kafka consumers, as Nest microservice strategies started after the HTTP server. */
  transports?: (app: INestApplication) => CustomTransportStrategy[];
  configure?: (app: INestApplication) => void;
}

/**
 * Starts a service and owns its lifecycle. On SIGTERM/SIGINT: report not ready, stop accepting
 * HTTP connections, let in-flight requests and consumer batches finish (Nest's shutdown hooks drain
 * consumers before producers and the database disconnect), then exit; a second signal or the
 * timeout exits at once.
 */
export async function runService(options: RunServiceOptions): Promise<INestApplication> {
  const logger = createLogger(options.service);
  // Before anything else, so every span (HTTP, Kafka stages) goes to the configured exporter.
  const tracing = startTracing(options.service);
  if (tracing.enabled) logger.info('tracing: spans go to the OTLP endpoint');
  let app: INestApplication;
  try {
    const module = await options.module(logger);
    // Paths match exactly as written: a route matched case-insensitively while a middleware
    // decided by the exact path (the raw-body exemption of /ingest/) once left requests waiting
    // forever. Set before Nest's adapter creates the router, which reads it once.
    const server = express();
    server.set('case sensitive routing', true);
    app = await NestFactory.create(module, new ExpressAdapter(server), {
      logger: new PinoNestLogger(logger),
      bodyParser: false,
      abortOnError: false,
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal({ problems: error.problems }, error.message);
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  // First, so every request is counted, including those a later middleware answers.
  app.use(httpMetricsMiddleware(app.get(MetricsRegistry)));
  app.use(accessLogMiddleware(logger));
  app.use(tracingMiddleware());
  options.configure?.(app);
  for (const strategy of options.transports?.(app) ?? []) {
    app.connectMicroservice({ strategy }, { inheritAppConfig: true });
  }
  app.enableShutdownHooks([]);
  await app.init();
  await app.startAllMicroservices();
  boundRequests(app.getHttpServer() as Server, options);
  await app.listen(options.port, options.host ?? '0.0.0.0');
  logger.info(
    { port: options.port, host: options.host ?? '0.0.0.0' },
    `${options.service} started`,
  );

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs: options.shutdownTimeoutMs }, 'shutdown timed out: exiting');
      process.exit(1);
    }, options.shutdownTimeoutMs ?? 25_000);
    timer.unref();
    app.get(HealthRegistry).markDraining();
    const server = app.getHttpServer() as Server;
    server.closeIdleConnections();
    app
      .close()
      .then(() => tracing.shutdown())
      .then(() => {
        logger.info('stopped cleanly');
        logger.flush();
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => {
    stop('SIGTERM');
    process.once('SIGTERM', () => {
      stop('SIGTERM');
    });
  });
  process.once('SIGINT', () => {
    stop('SIGINT');
    process.once('SIGINT', () => {
      stop('SIGINT');
    });
  });
  return app;
}

/**
 * Every request is answered or cut off in bounded time: a client that never finishes its headers
 * or body gets 408 and its connection closed. Node checks these timeouts on an interval (30 s by
 * default, read when the server starts listening), so it is shortened to match.
 */
function boundRequests(server: Server, options: RunServiceOptions): void {
  const requestTimeout = options.requestTimeoutMs ?? 30_000;
  server.requestTimeout = requestTimeout;
  server.headersTimeout = Math.min(options.headersTimeoutMs ?? 10_000, requestTimeout);
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.min(1000, server.headersTimeout);
}
