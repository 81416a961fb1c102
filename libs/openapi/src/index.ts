export * from './openapi.decorators';
export * from './openapi-document';
export * from './module-controllers';
export { namedSchemas, type JsonSchema } from './zod-components';
export * from './docs-page';
