import { Module, type DynamicModule } from '@nestjs/common';
import type { DispatcherEnv } from '@flotilla/contracts';
import { DbModule, MetaEventRepository } from '@flotilla/db';
import {
  BREAKER_SETTINGS,
  DISPATCH_CONCURRENCY,
  DispatchService,
  HTTP_SENDER,
  HttpSender,
  LOCAL_HAND_OFF_SETTINGS,
  MAX_IN_FLIGHT_PER_ENDPOINT,
  LocalHandOff,
  META_EVENTS,
  MetaEventQueue,
  RouteService,
  RoutingCache,
} from '@flotilla/delivery';
import { createEgressAgent, EgressPolicy } from '@flotilla/egress';
import { CredentialsCipher } from '@flotilla/signing';
import { kafkaClientOptionsFromEnv, MessagingModule } from '@flotilla/messaging';
import {
  LOGGER,
  metaEventDropsCounter,
  MetricsRegistry,
  ObservabilityModule,
  type Logger,
} from '@flotilla/observability';
import { DeliveriesConsumer } from './consumers/deliveries.consumer';
import { EventsConsumer } from './consumers/events.consumer';

@Module({})
export class DispatcherModule {
  static forRoot(config: DispatcherEnv, logger: Logger): DynamicModule {
    return {
      module: DispatcherModule,
      imports: [
        ObservabilityModule.forRoot('dispatcher', logger),
        DbModule.forRoot({ url: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE }),
        MessagingModule.forRoot(kafkaClientOptionsFromEnv(config, 'dispatcher')),
      ],
      controllers: [EventsConsumer, DeliveriesConsumer],
      providers: [
        RoutingCache,
        RouteService,
        DispatchService,
        LocalHandOff,
        { provide: DISPATCH_CONCURRENCY, useValue: config.DISPATCH_CONCURRENCY },
        {
          provide: LOCAL_HAND_OFF_SETTINGS,
          // As many as the sender may have open (beyond that they would only queue in memory), and
          // for one endpoint half of the sender's per-endpoint cap (dispatch.service.ts).
          useValue: {
            enabled: config.DISPATCH_LOCAL_HANDOFF,
            maxInFlight: config.DISPATCH_CONCURRENCY,
            maxInFlightPerEndpoint: Math.max(
              1,
              Math.floor(Math.min(MAX_IN_FLIGHT_PER_ENDPOINT, config.DISPATCH_CONCURRENCY / 2) / 2),
            ),
          },
        },
        {
          provide: BREAKER_SETTINGS,
          useValue: {
            errorThresholdPercent: config.BREAKER_ERROR_THRESHOLD_PERCENT,
            windowMs: config.BREAKER_WINDOW_SECONDS * 1000,
            minRequests: config.BREAKER_MIN_REQUESTS,
            resetMs: config.BREAKER_RESET_SECONDS * 1000,
            disableAfterTrips: config.BREAKER_DISABLE_AFTER_TRIPS,
          },
        },
        {
          provide: HTTP_SENDER,
          // Every connection is checked against the egress policy at connect time (SSRF guard).
          // mTLS endpoints get a pool of their own, presenting their client certificate.
          useFactory: () => {
            const policy = new EgressPolicy(config.FLOTILLA_EGRESS_ALLOW);
            return new HttpSender(createEgressAgent(policy), (clientCertificate) =>
              createEgressAgent(policy, { clientCertificate }),
            );
          },
        },
        {
          // Decrypts endpoints' OAuth2 client secrets and mTLS keys.
          provide: CredentialsCipher,
          useFactory: () => new CredentialsCipher(config.FLOTILLA_ENCRYPTION_KEY),
        },
        {
          // Meta events (eventdelivery.*, endpoint.disabled) go through the same egress guard.
          provide: META_EVENTS,
          useFactory: (
            sender: HttpSender,
            log: Logger,
            metrics: MetricsRegistry,
            metaEventLog: MetaEventRepository,
          ) => {
            const drops = metaEventDropsCounter(metrics);
            return new MetaEventQueue(sender, log, {
              onDrop: () => {
                drops.inc();
              },
              log: metaEventLog,
            });
          },
          inject: [HTTP_SENDER, LOGGER, MetricsRegistry, MetaEventRepository],
        },
      ],
    };
  }
}
