import 'reflect-metadata';
import { RequestMethod, type Type } from '@nestjs/common';
import {
  GUARDS_METADATA,
  HTTP_CODE_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
} from '@nestjs/common/constants';
import { z } from 'zod';
import {
  OPENAPI_BODY,
  OPENAPI_EXCLUDED,
  OPENAPI_OPERATION,
  OPENAPI_QUERY,
  type ApiOperationOptions,
} from './openapi.decorators';
import {
  ComponentSet,
  queryParameters,
  refsIn,
  renameRefs,
  type JsonSchema,
} from './zod-components';

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
  license?: { name: string; identifier?: string; url?: string };
}

export interface OpenApiOptions {
  info: OpenApiInfo;
  servers?: { url: string; description?: string }[];
  /** Controller classes, in the order the application registers them. */
  controllers: readonly Type[];
  /** Names for schemas (see `namedSchemas`): components take these names. */
  names: ReadonlyMap<z.ZodType, string>;
  securitySchemes: Record<string, JsonSchema>;
  /** The security requirements of a route, from its guards (class and method). */
  security: (guards: readonly unknown[]) => Record<string, string[]>[];
  /** Every error answer's body. */
  errorSchema: z.ZodType;
  /** Error statuses every guarded route can answer, besides 400 (when it takes input) and 500. */
  guardedErrors?: readonly number[];
  /** Leave routes out by path (e.g. operational endpoints that are not part of the API). */
  include?: (path: string) => boolean;
  tagDescriptions?: Record<string, string>;
  /**
   * Components to describe by hand instead of from zod, by name: for schemas client generators
   * cannot type (a recursive union such as "any JSON value").
   */
  replace?: Record<string, JsonSchema>;
}

interface Route {
  controller: Type;
  handlerName: string;
  method: string;
  path: string;
  status: number;
  guards: unknown[];
  options: ApiOperationOptions;
  body?: z.ZodType;
  query?: z.ZodType;
}

const METHODS: Partial<Record<RequestMethod, string>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.HEAD]: 'head',
  [RequestMethod.OPTIONS]: 'options',
};
const METHOD_ORDER = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

const REASONS: Record<number, string> = {
  400: 'Invalid input: `data.field` names the first problem, `data.errors` lists them all',
  401: 'Missing or invalid bearer token',
  403: 'The token does not give access to this project',
  404: 'Unknown id (or a resource of another project)',
  409: 'Conflicts with the current state',
  413: 'The body is larger than the limit',
  429: 'Rate limited',
  500: 'Internal error',
  503: 'A dependency (Kafka, the database) is unavailable; retry',
};

function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

function joinPath(base: string, sub: string): string {
  const parts = [base, sub].flatMap((part) => part.split('/')).filter((part) => part !== '');
  return `/${parts.map((part) => (part.startsWith(':') ? `{${part.slice(1)}}` : part)).join('/')}`;
}

function words(name: string): string {
  const spaced = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1).toLowerCase();
}

/** Routes from Nest's own route metadata: the paths, methods, statuses and guards the app serves. */
export function collectRoutes(controllers: readonly Type[]): Route[] {
  const routes: Route[] = [];
  for (const controller of controllers) {
    if (Reflect.getMetadata(OPENAPI_EXCLUDED, controller)) continue;
    const bases = strings(Reflect.getMetadata(PATH_METADATA, controller));
    const classGuards = (Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as unknown[];
    const prototype = controller.prototype as Record<string, unknown>;
    for (const handlerName of Object.getOwnPropertyNames(prototype)) {
      if (handlerName === 'constructor') continue;
      const handler = Object.getOwnPropertyDescriptor(prototype, handlerName)?.value as unknown;
      if (typeof handler !== 'function') continue;
      const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as
        RequestMethod | undefined;
      if (requestMethod === undefined || Reflect.getMetadata(OPENAPI_EXCLUDED, handler)) continue;
      const method = METHODS[requestMethod];
      if (!method) continue;
      const subs = strings(Reflect.getMetadata(PATH_METADATA, handler));
      const status =
        (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
        (requestMethod === RequestMethod.POST ? 201 : 200);
      const guards = [
        ...classGuards,
        ...((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[]),
      ];
      const options = (Reflect.getMetadata(OPENAPI_OPERATION, handler) ??
        {}) as ApiOperationOptions;
      const body = Reflect.getMetadata(OPENAPI_BODY, controller, handlerName) as
        z.ZodType | undefined;
      const query = Reflect.getMetadata(OPENAPI_QUERY, controller, handlerName) as
        z.ZodType | undefined;
      for (const base of bases.length ? bases : ['']) {
        for (const sub of subs.length ? subs : ['']) {
          routes.push({
            controller,
            handlerName,
            method,
            path: joinPath(base, sub),
            status,
            guards,
            options,
            ...(body ? { body } : {}),
            ...(query ? { query } : {}),
          });
        }
      }
    }
  }
  return routes;
}

function tagOf(controller: Type): string {
  return words(controller.name.replace(/Controller$/, ''));
}

/**
 * The OpenAPI 3.1 document of a Nest application, built from what the code already declares:
 * Nest's route metadata (paths, methods, status codes, guards) and the zod schemas the routes parse
 * their bodies and queries with. Nothing is written twice, so the document cannot drift from the code.
 */
export function buildOpenApiDocument(options: OpenApiOptions): JsonSchema {
  const include = options.include ?? (() => true);
  const routes = collectRoutes(options.controllers).filter((route) => include(route.path));
  const inputs = new ComponentSet('input', options.names);
  const outputs = new ComponentSet('output', options.names);
  const errorRef = outputs.ref(options.errorSchema, 'ErrorEnvelope');
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const tags = new Set<string>();
  const operationIds = new Set<string>();

  for (const route of routes) {
    const tag = tagOf(route.controller);
    tags.add(tag);
    const operationId = `${route.controller.name.replace(/Controller$/, '')}_${route.handlerName}`;
    if (operationIds.has(operationId))
      throw new Error(`OpenAPI: duplicate operationId ${operationId}`);
    operationIds.add(operationId);
    const pathParameters = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => ({
      name: match[1]!,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const parameters = [...pathParameters, ...(route.query ? queryParameters(route.query) : [])];
    const data = route.options.data
      ? outputs.ref(route.options.data, `${operationId}Data`)
      : { type: 'object', additionalProperties: true };
    const security = options.security(route.guards);
    const errors = new Set<number>([
      ...(route.body || route.query ? [400] : []),
      ...(security.length ? (options.guardedErrors ?? [401, 403]) : []),
      ...(route.path.includes('{') ? [404] : []),
      500,
    ]);
    const operation: JsonSchema = {
      operationId,
      tags: [tag],
      summary: route.options.summary ?? `${words(route.handlerName)} (${tag.toLowerCase()})`,
      ...(route.options.description ? { description: route.options.description } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: {
                'application/json': { schema: inputs.ref(route.body, `${operationId}Body`) },
              },
            },
          }
        : {}),
      responses: {
        [String(route.status)]: {
          description: 'Success',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  status: { type: 'boolean', const: true },
                  message: { type: 'string' },
                  data,
                },
                required: ['status', 'message', 'data'],
              },
            },
          },
        },
        ...Object.fromEntries(
          [...errors]
            .sort((a, b) => a - b)
            .map((status) => [
              String(status),
              {
                description: REASONS[status] ?? 'Error',
                content: { 'application/json': { schema: errorRef } },
              },
            ]),
        ),
      },
      security,
    };
    const item = (paths[route.path] ??= {});
    if (item[route.method])
      throw new Error(`OpenAPI: ${route.method.toUpperCase()} ${route.path} is declared twice`);
    item[route.method] = operation;
  }

  // Request and response views of one schema differ where defaults apply: the response view keeps
  // the name only when both are the same.
  const inputComponents = inputs.build();
  const outputComponents = outputs.build();
  const rename = new Map<string, string>();
  for (const [name, schema] of Object.entries(outputComponents)) {
    const input = inputComponents[name];
    if (input && JSON.stringify(input) !== JSON.stringify(schema))
      rename.set(name, `${name}Output`);
  }
  const schemas: Record<string, JsonSchema> = { ...inputComponents };
  for (const [name, schema] of Object.entries(outputComponents)) {
    schemas[rename.get(name) ?? name] = renameRefs(schema, rename);
  }
  for (const [name, schema] of Object.entries(options.replace ?? {})) {
    if (name in schemas) schemas[name] = schema;
  }
  const sortedPaths = Object.fromEntries(
    Object.entries(paths)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, item]) => [
        path,
        Object.fromEntries(
          Object.entries(item)
            .sort(([a], [b]) => METHOD_ORDER.indexOf(a) - METHOD_ORDER.indexOf(b))
            .map(([method, operation]) => [method, rewriteResponses(operation, rename)]),
        ),
      ]),
  );
  const missing = [...refsIn(sortedPaths)].filter((name) => !(name in schemas));
  if (missing.length) throw new Error(`OpenAPI: unresolved schemas ${missing.join(', ')}`);

  return {
    openapi: '3.1.0',
    info: options.info,
    ...(options.servers ? { servers: options.servers } : {}),
    tags: [...tags].sort().map((name) => ({
      name,
      description: options.tagDescriptions?.[name] ?? name,
    })),
    paths: sortedPaths,
    components: {
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: options.securitySchemes,
    },
  };
}

// Only responses use the response view of schemas.
function rewriteResponses(operation: JsonSchema, rename: ReadonlyMap<string, string>): JsonSchema {
  return { ...operation, responses: renameRefs(operation['responses'], rename) };
}
