export * from './infra';
export * from './receiver/webhook-receiver';
export * from './api/flotilla-api.client';
export * from './services/service-process';
export * from './services/test-stack';
export * from './eventually';
