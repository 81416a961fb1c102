import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

/**
 * Convoy's published API contract (`docs/v3/openapi3.json` in frain-dev/convoy), kept as a test
 * fixture of its structure only (`tools/openapi/extract-convoy-contract.mjs` writes it), and the
 * checks a generated Convoy client would make of Flotilla's answers.
 */

type Schema = Record<string, unknown>;

export interface ConvoyOperation {
  method: string;
  /** Convoy's path template, e.g. `/api/v1/projects/{projectID}/endpoints/{endpointID}`. */
  path: string;
  /** The success status Convoy documents. */
  status: number;
  /** The schema of the envelope's `data`, or null where Convoy documents none. */
  data: Schema | null;
}

interface ContractFixture {
  source: string;
  operations: ConvoyOperation[];
  schemas: Record<string, Schema>;
}

const fixture = JSON.parse(
  readFileSync(path.join(__dirname, 'convoy-openapi.json'), 'utf8'),
) as ContractFixture;

export const convoyOperations: readonly ConvoyOperation[] = fixture.operations;

export function operationKey(operation: Pick<ConvoyOperation, 'method' | 'path'>): string {
  return `${operation.method} ${operation.path}`;
}

const REF_PREFIX = '#/components/schemas/';
const refName = (ref: string): string => ref.slice(REF_PREFIX.length);

/**
 * OpenAPI 3.0's `nullable` as JSON Schema, and references into one `definitions` block. Convoy's
 * document marks no property required, so a client fails on a wrong type, not on a missing field:
 * missing fields are checked separately (`missingFields`).
 */
function toJsonSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toJsonSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const { nullable, ...rest } = schema as Schema & { nullable?: boolean };
  const converted: Schema = {};
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$ref' && typeof value === 'string')
      converted[key] = `#/definitions/${refName(value)}`;
    else if (key === 'properties')
      converted[key] = Object.fromEntries(
        Object.entries(value as Schema).map(([name, property]) => [name, toJsonSchema(property)]),
      );
    else converted[key] = toJsonSchema(value);
  }
  if (nullable !== true) return converted;
  if (typeof converted['type'] === 'string')
    return { ...converted, type: [converted['type'], 'null'] };
  return { anyOf: [{ type: 'null' }, converted] };
}

const definitions = Object.fromEntries(
  Object.entries(fixture.schemas).map(([name, schema]) => [name, toJsonSchema(schema)]),
);
const ajv = new Ajv({ allErrors: true, strict: false });

/** Checks `data` as a client generated from Convoy's document would parse it. */
export function convoyValidator(operation: ConvoyOperation): ValidateFunction {
  return ajv.compile({ ...(toJsonSchema(operation.data ?? {}) as Schema), definitions });
}

function resolve(schema: Schema): Schema {
  const ref = schema['$ref'];
  if (typeof ref === 'string') return resolve(fixture.schemas[refName(ref)] ?? {});
  const parts = schema['allOf'];
  if (Array.isArray(parts)) {
    const merged: Schema = { ...schema, properties: { ...(schema['properties'] as Schema) } };
    for (const part of parts as Schema[]) {
      const resolved = resolve(part);
      Object.assign(merged['properties'] as Schema, resolved['properties'] ?? {});
      if (resolved['items']) merged['items'] = resolved['items'];
    }
    delete merged['allOf'];
    return merged;
  }
  return schema;
}

/** The name of the Convoy schema an object is documented by (its `$ref`), for messages. */
function schemaName(schema: Schema): string {
  const ref = schema['$ref'];
  if (typeof ref === 'string') return refName(ref);
  const first = (schema['allOf'] as Schema[] | undefined)?.[0];
  return first ? schemaName(first) : 'data';
}

/**
 * The fields Convoy documents for the object(s) in `data` that Flotilla's answer leaves out, as
 * `Schema.field`: for an object, its own fields; for a page or a list, those of its items.
 */
export function missingFields(operation: ConvoyOperation, data: unknown): string[] {
  if (!operation.data || data === null || typeof data !== 'object') return [];
  const top = resolve(operation.data);
  const properties = (top['properties'] ?? {}) as Schema;
  // A page: `content` holds the documented objects.
  const content = properties['content'] as Schema | undefined;
  if (content && 'content' in data) {
    const items = resolve(content)['items'] as Schema | undefined;
    const rows = (data as { content: unknown[] }).content;
    return items ? missingOf(items, rows) : [];
  }
  if (Array.isArray(data)) {
    const items = top['items'] as Schema | undefined;
    return items ? missingOf(items, data) : [];
  }
  return missingOf(operation.data, [data]);
}

function missingOf(schema: Schema, rows: unknown[]): string[] {
  const name = schemaName(schema);
  const documented = Object.keys(resolve(schema)['properties'] ?? {});
  const missing = new Set<string>();
  for (const row of rows) {
    if (row === null || typeof row !== 'object') continue;
    for (const field of documented) if (!(field in row)) missing.add(`${name}.${field}`);
  }
  return [...missing].sort();
}

/** The rows of a Markdown table under a heading of docs/convoy-compatibility.md. */
export function compatibilityTable(heading: string): string[][] {
  const text = readFileSync(
    path.join(__dirname, '../../../../docs/convoy-compatibility.md'),
    'utf8',
  );
  const start = text.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/convoy-compatibility.md has no "## ${heading}" section`);
  const section = text.slice(start + heading.length + 5).split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('|') && !/^\|\s*-/.test(line))
    .slice(1)
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((cell) => cell.trim().replace(/^`|`$/g, '')),
    );
}
