// `npm run openapi`: writes docs/openapi.json from the built ingest-api (its controllers' route
// metadata and the zod schemas in libs/contracts), then the typed client's types from it with
// openapi-typescript. A unit test fails when either committed file differs from what the code makes.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireBuiltIngestApi, root } from '../workspace/built-module.mjs';

const { openApiJson } = requireBuiltIngestApi('apps/ingest-api/src/openapi/generate-document.js');
const documentPath = path.join(root, 'docs/openapi.json');
writeFileSync(documentPath, openApiJson());
process.stdout.write(`wrote ${path.relative(root, documentPath)}\n`);

const typesPath = path.join(root, 'libs/api-client/src/generated/flotilla-api.ts');
const result = spawnSync(
  path.join(root, 'node_modules/.bin/openapi-typescript'),
  [documentPath, '--output', typesPath, '--default-non-nullable', 'false'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
