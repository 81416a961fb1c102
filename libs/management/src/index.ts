export * from './api-key';
export * from './management-error';
export * from './presenters';
export * from './projects.service';
export * from './endpoints.service';
export * from './subscriptions.service';
export * from './event-log.service';
export * from './management.module';
