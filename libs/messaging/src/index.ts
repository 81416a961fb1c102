export * from './errors';
export * from './kafka-client';
export * from './kafka-producer.service';
export * from './kafka-batch.transport';
export * from './messaging.module';
export * from './partition-progress';
export * from './pass-through-rpc.filter';
export * from './parse-batch';
