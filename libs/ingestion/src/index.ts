export * from './raw-json';
export * from './ingest-errors';
export * from './ingest-event.service';
export * from './broker-sources.watcher';
