import 'reflect-metadata';
import type { z } from 'zod';

export const OPENAPI_OPERATION = 'flotilla:openapi:operation';
export const OPENAPI_BODY = 'flotilla:openapi:body';
export const OPENAPI_QUERY = 'flotilla:openapi:query';
export const OPENAPI_EXCLUDED = 'flotilla:openapi:excluded';

/** What the route metadata cannot say about an operation. Everything else is read from Nest's metadata. */
export interface ApiOperationOptions {
  summary?: string;
  description?: string;
  /** The envelope's `data` on success; without it the document says only "an object". */
  data?: z.ZodType;
}

/** Documents a controller method: its summary and the shape of the envelope's `data`. */
export function ApiOperation(options: ApiOperationOptions): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(OPENAPI_OPERATION, options, descriptor.value as object);
  };
}

/** Leaves a controller (or one method) out of the document. */
export function ApiExclude(): ClassDecorator & MethodDecorator {
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    Reflect.defineMetadata(
      OPENAPI_EXCLUDED,
      true,
      (descriptor?.value as object | undefined) ?? target,
    );
  };
}

// Stored like Nest's own route arguments: on the class, keyed by the method name.
function parameterSchema(key: string, schema: z.ZodType): ParameterDecorator {
  return (target, property) => {
    if (property !== undefined) Reflect.defineMetadata(key, schema, target.constructor, property);
  };
}

/** The JSON request body's schema (the same one the route parses with). */
export const ApiBody = (schema: z.ZodType): ParameterDecorator =>
  parameterSchema(OPENAPI_BODY, schema);

/** The query's schema (the same one the route parses with); each property is a query parameter. */
export const ApiQuery = (schema: z.ZodType): ParameterDecorator =>
  parameterSchema(OPENAPI_QUERY, schema);
