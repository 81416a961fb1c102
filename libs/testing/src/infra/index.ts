export * from './workspace';
export * from './free-port';
export * from './postgres';
export * from './kafka-mock.launcher';
export * from './pubsub-emulator.launcher';
export * from './sqs-emulator.launcher';
export * from './local-secrets';
