export * from './event-schema';
export * from './example';
export * from './webhooks-document';
