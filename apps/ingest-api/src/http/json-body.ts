import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { z } from 'zod';
import { findTooDeepJson, findUnstorableText, MAX_JSON_DEPTH } from '@flotilla/contracts';
import { ApiBody, ApiQuery } from '@flotilla/openapi';
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
  /** Top-level members kept as sent, not stored as parsed JSON (an event's `data`). */
  opaque?: readonly string[];
}

const jsonBody = createParamDecorator(
  ({ schema, opaque }: SchemaArg, context: ExecutionContext): ParsedBody<unknown> => {
    const request = context.switchToHttp().getRequest<Request>();
    const raw: unknown = request.body;
    const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
    if (text.trim() === '') throw new RequestError(400, 'request body is required (JSON)', 'body');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RequestError(
        400,
        `malformed JSON body: ${error instanceof Error ? error.message : String(error)}`,
        'body',
      );
    }
    // Checked without recursion before anything recursive (zod, filters) sees the value.
    const tooDeep = findTooDeepJson(json);
    if (tooDeep) {
      const shown = tooDeep.slice(0, 3).map(String).join('.');
      throw new RequestError(
        400,
        `${shown}… is nested more than ${String(MAX_JSON_DEPTH)} levels deep`,
        String(tooDeep[0] ?? 'body'),
      );
    }
    // Checked here, once for every body, rather than left to the database to refuse with a 500.
    const unstorable = findUnstorableText(json, opaque);
    if (unstorable) {
      const shown = unstorable.map(String).join('.');
      throw new RequestError(
        400,
        `${shown || 'body'} must not contain NUL characters or unpaired UTF-16 surrogates`,
        shown || 'body',
      );
    }
    const result = schema.safeParse(json);
    if (!result.success) throw RequestError.fromZod(result.error);
    return { value: result.data, text };
  },
);

/**
 * Convoy's clients spell repeated parameters `endpointId[]=a&endpointId[]=b`; Express's simple
 * parser keeps the brackets in the key. Both spellings become one list under the plain name.
 */
export function normalizeQuery(query: Record<string, unknown>): Record<string, unknown> {
  const normalized: Record<string, unknown> = {};
  const add = (key: string, value: unknown): void => {
    const existing = normalized[key];
    if (existing === undefined) normalized[key] = value;
    else normalized[key] = [existing, value].flat();
  };
  for (const [key, value] of Object.entries(query))
    add(key.endsWith('[]') ? key.slice(0, -2) : key, value);
  return normalized;
}

/** Validates query parameters with a schema; errors name the parameter. */
const validQuery = createParamDecorator(
  ({ schema }: SchemaArg, context: ExecutionContext): unknown => {
    const request = context.switchToHttp().getRequest<Request>();
    const result = schema.safeParse(normalizeQuery(request.query));
    if (!result.success) throw RequestError.fromZod(result.error);
    return result.data;
  },
);

function both(parse: ParameterDecorator, document: ParameterDecorator): ParameterDecorator {
  return (target, key, index) => {
    parse(target, key, index);
    document(target, key, index);
  };
}

// The schema a route parses with is also the one the OpenAPI document shows.
export const JsonBody = (
  schema: z.ZodType,
  options: { opaque?: readonly string[] } = {},
): ParameterDecorator => both(jsonBody({ schema, ...options }), ApiBody(schema));
export const ValidQuery = (schema: z.ZodType): ParameterDecorator =>
  both(validQuery({ schema }), ApiQuery(schema));
