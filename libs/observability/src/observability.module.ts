import { DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController, HealthRegistry } from './health';
import { createLogger, type Logger } from './logger';
import { MetricsController, MetricsRegistry } from './metrics';

export const LOGGER = Symbol('LOGGER');
export const SERVICE_NAME = Symbol('SERVICE_NAME');

@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(service: string, logger: Logger = createLogger(service)): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [HealthController, MetricsController],
      providers: [
        MetricsRegistry,
        HealthRegistry,
        { provide: LOGGER, useValue: logger },
        { provide: SERVICE_NAME, useValue: service },
      ],
      exports: [MetricsRegistry, HealthRegistry, LOGGER, SERVICE_NAME],
    };
  }
}
