import type { JsonSchemaObject } from './event-schema';

const MAX_DEPTH = 8;

function first(values: unknown): unknown {
  return Array.isArray(values) && values.length > 0 ? (values[0] as unknown) : undefined;
}

function asSchema(value: unknown): JsonSchemaObject | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as JsonSchemaObject)
    : undefined;
}

function typeOf(schema: JsonSchemaObject): string | undefined {
  const type = schema['type'];
  if (typeof type === 'string') return type;
  // ["string", "null"]: the first non-null type says more.
  if (Array.isArray(type)) return type.find((item) => item !== 'null') as string | undefined;
  if (schema['properties']) return 'object';
  if (schema['items']) return 'array';
  return undefined;
}

const FORMAT_EXAMPLES: Record<string, string> = {
  'date-time': '2026-01-01T00:00:00Z',
  date: '2026-01-01',
  email: 'user@example.com',
  uri: 'https://example.com',
  uuid: '01890a5d-ac96-774b-b9aa-8b0c8e2f6b1a',
};

/**
 * A plausible payload for a schema, for the catalog and the portal: the schema's own `examples`,
 * `example`, `default`, `const` or first `enum` value where it has one, else a value of its type
 * (objects with every property, arrays with one item). Local `$ref`s are not followed.
 */
export function exampleFromSchema(schema: JsonSchemaObject, depth = 0): unknown {
  const given =
    first(schema['examples']) ??
    schema['example'] ??
    schema['default'] ??
    schema['const'] ??
    first(schema['enum']);
  if (given !== undefined) return given;
  if (depth >= MAX_DEPTH) return null;
  const variant = asSchema(first(schema['oneOf']) ?? first(schema['anyOf']));
  if (variant) return exampleFromSchema(variant, depth + 1);
  const allOf = Array.isArray(schema['allOf']) ? (schema['allOf'] as unknown[]) : [];
  if (allOf.length > 0) {
    const merged: Record<string, unknown> = {};
    for (const part of allOf) {
      const value = exampleFromSchema(asSchema(part) ?? {}, depth + 1);
      if (value !== null && typeof value === 'object' && !Array.isArray(value))
        Object.assign(merged, value);
    }
    return merged;
  }
  switch (typeOf(schema)) {
    case 'object': {
      const properties = asSchema(schema['properties']) ?? {};
      return Object.fromEntries(
        Object.entries(properties).map(([name, property]) => [
          name,
          exampleFromSchema(asSchema(property) ?? {}, depth + 1),
        ]),
      );
    }
    case 'array': {
      const items = asSchema(schema['items']);
      return items ? [exampleFromSchema(items, depth + 1)] : [];
    }
    case 'string': {
      const format = schema['format'];
      return (typeof format === 'string' ? FORMAT_EXAMPLES[format] : undefined) ?? 'string';
    }
    case 'integer':
      return typeof schema['minimum'] === 'number' ? Math.ceil(schema['minimum']) : 0;
    case 'number':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 0;
    case 'boolean':
      return true;
    case 'null':
      return null;
    case undefined:
    default:
      return {};
  }
}
