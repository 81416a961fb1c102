// Generates the Prisma client (libs/db/src/generated). The Prisma CLI insists on a schema-engine
// binary it would download; generation does not use it, so any existing file satisfies the check
// (see docs/adr/0003-migrations-without-the-schema-engine.md).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
execFileSync(path.join(root, 'node_modules/.bin/prisma'), ['generate'], {
  cwd: path.join(root, 'libs/db'),
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
