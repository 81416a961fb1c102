import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { RequestError } from './request-error';

export interface ParsedBody<T> {
  value: T;
  /** The body exactly as received, for fields whose bytes matter (an event's data). */
  text: string;
}

/**
 * Parses the raw request body as JSON and then with the route's schema: one schema per body, parsed
 * at the edge. Malformed JSON and schema violations become 400s that name the problem.
 */
// Nest takes a decorator argument with a `transform` method for a pipe, and zod schemas have one,
// so schemas travel wrapped in an object.
interface SchemaArg {
  schema: z.ZodType;
}

const jsonBody = createParamDecorator(({ schema }: SchemaArg, context: ExecutionContext): ParsedBody<unknown> => {
  const request = context.switchToHttp().getRequest<Request>();
  const raw: unknown = request.body;
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  if (text.trim() === '') throw new RequestError(400, 'request body is required (JSON)', 'body');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RequestError(400, `malformed JSON body: ${error instanceof Error ? error.message : String(error)}`, 'body');
  }
  const result = schema.safeParse(json);
  if (!result.success) throw RequestError.fromZod(result.error);
  return { value: result.data, text };
});

/** Validates query parameters with a schema; errors name the parameter. */
const validQuery = createParamDecorator(({ schema }: SchemaArg, context: ExecutionContext): unknown => {
  const request = context.switchToHttp().getRequest<Request>();
  const result = schema.safeParse(request.query);
  if (!result.success) throw RequestError.fromZod(result.error);
  return result.data;
});

export const JsonBody = (schema: z.ZodType): ParameterDecorator => jsonBody({ schema });
export const ValidQuery = (schema: z.ZodType): ParameterDecorator => validQuery({ schema });
