import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;
export type Io = 'input' | 'output';

const REF_PREFIX = '#/components/schemas/';

/**
 * Names for schemas from a module's exports: `createEndpointBodySchema` becomes `CreateEndpointBody`.
 * The contracts lib already names every schema once, so the document reuses those names.
 */
export function namedSchemas(modules: readonly Record<string, unknown>[]): Map<z.ZodType, string> {
  const names = new Map<z.ZodType, string>();
  for (const module of modules) {
    for (const [key, value] of Object.entries(module)) {
      if (!(value instanceof z.ZodType) || !key.endsWith('Schema') || names.has(value)) continue;
      const base = key.slice(0, -'Schema'.length);
      names.set(value, base.charAt(0).toUpperCase() + base.slice(1));
    }
  }
  return names;
}

/**
 * Converts a set of root schemas (and every named schema they use) to OpenAPI components with zod's
 * own JSON Schema output. `io` picks the request view (defaults make fields optional) or the
 * response view (defaults applied, so those fields are always present).
 */
export class ComponentSet {
  private readonly roots = new Map<z.ZodType, string>();

  constructor(
    private readonly io: Io,
    private readonly names: ReadonlyMap<z.ZodType, string>,
  ) {}

  /** Registers a schema and returns the `$ref` to it; unnamed schemas take the fallback name. */
  ref(schema: z.ZodType, fallbackName: string): JsonSchema {
    const existing = this.roots.get(schema);
    const name = existing ?? this.names.get(schema) ?? fallbackName;
    this.roots.set(schema, name);
    return { $ref: `${REF_PREFIX}${name}` };
  }

  /** The components, keyed by name; only those reachable from the registered roots. */
  build(): Record<string, JsonSchema> {
    const registry = z.registry<{ id: string }>();
    const used = new Set<string>();
    const add = (schema: z.ZodType, id: string): void => {
      if (registry.has(schema) || used.has(id)) return;
      registry.add(schema, { id });
      used.add(id);
    };
    for (const [schema, id] of this.roots) add(schema, id);
    for (const [schema, id] of this.names) add(schema, id);
    const output = z.toJSONSchema(registry, {
      io: this.io,
      target: 'draft-2020-12',
      unrepresentable: 'any',
      uri: (id) => `${REF_PREFIX}${id}`,
    }) as { schemas: Record<string, JsonSchema> };
    const components = hoistShared(output.schemas, this.io);
    return reachable(components, [...this.roots.values()]);
  }
}

/** Query parameters from a query schema: one per property, in the request (input) view. */
export function queryParameters(schema: z.ZodType): JsonSchema[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: 'query',
      required: required.has(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
      ...(rest['type'] === 'array' ? { style: 'form', explode: true } : {}),
    };
  });
}

// zod puts schemas that are reused or recursive but have no id in a `__shared` entry with `$defs`;
// OpenAPI wants every reference under components, so they become components of their own.
function hoistShared(schemas: Record<string, JsonSchema>, io: Io): Record<string, JsonSchema> {
  const { __shared: shared, ...named } = schemas;
  const defs = (shared?.['$defs'] ?? {}) as Record<string, JsonSchema>;
  const rename = new Map(
    Object.keys(defs).map((key) => [key, `Shared${io === 'input' ? 'Input' : 'Output'}${key}`]),
  );
  const fix = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(fix);
    if (value === null || typeof value !== 'object') return value;
    const result: JsonSchema = {};
    for (const [key, inner] of Object.entries(value as JsonSchema)) {
      if (key === '$schema' || key === '$id') continue;
      if (key === '$ref' && typeof inner === 'string') {
        const match = /#\/\$defs\/([^/]+)$/.exec(inner);
        const renamed = match && inner.includes('__shared') ? rename.get(match[1]!) : undefined;
        result[key] = renamed ? `${REF_PREFIX}${renamed}` : inner;
        continue;
      }
      result[key] = fix(inner);
    }
    return result;
  };
  const components: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(named)) components[name] = fix(schema) as JsonSchema;
  for (const [key, schema] of Object.entries(defs))
    components[rename.get(key)!] = fix(schema) as JsonSchema;
  return components;
}

/** Every `$ref` target name in a JSON value. */
export function refsIn(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value as JsonSchema)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith(REF_PREFIX)) {
        into.add(inner.slice(REF_PREFIX.length));
      } else {
        refsIn(inner, into);
      }
    }
  }
  return into;
}

function reachable(
  components: Record<string, JsonSchema>,
  roots: readonly string[],
): Record<string, JsonSchema> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const schema = components[name];
    if (!schema) throw new Error(`OpenAPI: no component named ${name}`);
    seen.add(name);
    queue.push(...refsIn(schema));
  }
  return Object.fromEntries(
    Object.entries(components)
      .filter(([name]) => seen.has(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/** Rewrites `$ref`s by component name (used to tell response views apart from request views). */
export function renameRefs<T>(value: T, rename: ReadonlyMap<string, string>): T {
  if (Array.isArray(value)) return value.map((item: unknown) => renameRefs(item, rename)) as T;
  if (value === null || typeof value !== 'object') return value;
  const result: JsonSchema = {};
  for (const [key, inner] of Object.entries(value as JsonSchema)) {
    if (key === '$ref' && typeof inner === 'string' && inner.startsWith(REF_PREFIX)) {
      const name = inner.slice(REF_PREFIX.length);
      result[key] = `${REF_PREFIX}${rename.get(name) ?? name}`;
    } else {
      result[key] = renameRefs(inner, rename);
    }
  }
  return result as T;
}
