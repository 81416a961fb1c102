export * from './logger';
export * from './request-context';
export * from './metrics';
export * from './flotilla-metrics';
export * from './http-metrics.middleware';
export * from './access-log.middleware';
export * from './health';
export * from './observability.module';
