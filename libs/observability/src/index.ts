export * from './logger';
export * from './metrics';
export * from './flotilla-metrics';
export * from './http-metrics.middleware';
export * from './health';
export * from './observability.module';
