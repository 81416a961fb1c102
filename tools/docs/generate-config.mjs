// `npm run config-docs`: writes docs/configuration.md from the env schemas in libs/contracts (as
// compiled into the ingest-api build). A unit test fails when the committed file differs.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { requireBuiltIngestApi, root } from '../workspace/built-module.mjs';

const { configurationReference } = requireBuiltIngestApi(
  'libs/contracts/src/env/config-reference.js',
);
const target = path.join(root, 'docs/configuration.md');
writeFileSync(target, configurationReference());
process.stdout.write(`wrote ${path.relative(root, target)}\n`);
