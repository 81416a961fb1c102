// A module of the ingest-api build (dist/apps/ingest-api/...), for generators that write docs from
// the compiled code; exits with a hint when the build is missing.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function requireBuiltIngestApi(relativePath) {
  const built = path.join(root, 'dist/apps/ingest-api', relativePath);
  if (!existsSync(built)) {
    process.stderr.write(
      `missing ${path.relative(root, built)}: build first (npx nx run ingest-api:build)\n`,
    );
    process.exit(1);
  }
  return createRequire(import.meta.url)(built);
}
