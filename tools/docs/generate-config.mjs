// `npm run config-docs`: writes docs/configuration.md from the env schemas in libs/contracts (as
// compiled into the ingest-api build). A unit test fails when the committed file differs.
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const built = path.join(root, 'dist/apps/ingest-api/libs/contracts/src/env/config-reference.js');
if (!existsSync(built)) {
  process.stderr.write(
    `missing ${path.relative(root, built)}: build first (npx nx run ingest-api:build)\n`,
  );
  process.exit(1);
}
const { configurationReference } = createRequire(import.meta.url)(built);
const target = path.join(root, 'docs/configuration.md');
writeFileSync(target, configurationReference());
process.stdout.write(`wrote ${path.relative(root, target)}\n`);
