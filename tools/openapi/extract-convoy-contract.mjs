// Writes the test fixture of Convoy's published API contract that e2e/src/convoy-contract.e2e-spec.ts
// checks Flotilla against: `node tools/openapi/extract-convoy-contract.mjs <convoy>/docs/v3/openapi3.json`.
// Only structure is kept (types, properties, references, nullability, enums): no descriptions or
// examples. Each operation keeps its success status and the schema of its envelope's `data`.
// Format the result with Prettier afterwards (`npx prettier --write <file>`).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const output = path.join(root, 'e2e/src/support/convoy-contract/convoy-openapi.json');
const source = process.argv[2];
if (!source) {
  process.stderr.write(
    'usage: extract-convoy-contract.mjs <path to Convoy docs/v3/openapi3.json>\n',
  );
  process.exit(2);
}
const document = JSON.parse(readFileSync(source, 'utf8'));
const structural = new Set([
  'type',
  'properties',
  'items',
  '$ref',
  'nullable',
  'enum',
  'allOf',
  'anyOf',
  'oneOf',
  'additionalProperties',
  'required',
]);

/** The schema without prose; references are collected so only the ones used are kept. */
function strip(schema, references) {
  if (Array.isArray(schema)) return schema.map((item) => strip(item, references));
  if (schema === null || typeof schema !== 'object') return schema;
  const kept = {};
  for (const [key, value] of Object.entries(schema)) {
    if (!structural.has(key)) continue;
    if (key === '$ref') {
      references.add(value.replace('#/components/schemas/', ''));
      kept[key] = value;
    } else if (key === 'properties') {
      kept[key] = Object.fromEntries(
        Object.entries(value).map(([name, property]) => [name, strip(property, references)]),
      );
    } else kept[key] = strip(value, references);
  }
  return kept;
}

const references = new Set();
const operations = [];
for (const [route, methods] of Object.entries(document.paths)) {
  for (const [method, operation] of Object.entries(methods)) {
    if (method === 'parameters') continue;
    const success = Object.keys(operation.responses ?? {}).filter((code) => code.startsWith('2'));
    const status = success[0];
    const envelope = operation.responses[status]?.content?.['application/json']?.schema;
    const data = envelope?.allOf?.find((part) => part.properties?.data)?.properties.data;
    operations.push({
      method: method.toUpperCase(),
      path: `/api${route}`,
      status: Number(status),
      data: data ? strip(data, references) : null,
    });
  }
}
const schemas = {};
const pending = [...references];
while (pending.length > 0) {
  const name = pending.pop();
  if (name in schemas) continue;
  const found = new Set();
  schemas[name] = strip(document.components.schemas[name], found);
  pending.push(...[...found].filter((reference) => !(reference in schemas)));
}
const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync(
  output,
  `${JSON.stringify(
    {
      source: `frain-dev/convoy docs/v3/openapi3.json, version ${document.info.version} (${document.info.license.name}); structure only`,
      operations,
      schemas: sorted,
    },
    null,
    2,
  )}\n`,
);
process.stdout.write(
  `${operations.length} operations, ${Object.keys(sorted).length} schemas → ${output}\n`,
);
