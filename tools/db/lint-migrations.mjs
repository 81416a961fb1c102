// Migration linter for `npm test`: squawk (its binary ships in the npm package squawk-cli) over
// libs/db/prisma/migrations, with the settings in .squawk.toml. Transactional migrations are
// linted as run in a transaction (so CREATE INDEX CONCURRENTLY there is an error); those whose
// first line is `-- flotilla:no-transaction` (MigrationRunner's NO_TRANSACTION_MARKER) as run
// alone, where squawk also asks for IF NOT EXISTS so a retry after a failure works.
// Rules and the expand/contract procedure: docs/adr/0011-safe-migrations.md.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const migrationsDir = 'libs/db/prisma/migrations';
const NO_TRANSACTION_MARKER = '-- flotilla:no-transaction';

const files = readdirSync(path.join(root, migrationsDir), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => path.join(migrationsDir, entry.name, 'migration.sql'))
  .sort();
const outsideTransaction = (file) =>
  readFileSync(path.join(root, file), 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/, 1)[0]
    ?.trim() === NO_TRANSACTION_MARKER;

let failed = false;
for (const [transaction, group] of [
  ['--assume-in-transaction', files.filter((file) => !outsideTransaction(file))],
  ['--no-assume-in-transaction', files.filter(outsideTransaction)],
]) {
  if (group.length === 0) continue;
  const result = spawnSync(
    path.join(root, 'node_modules', '.bin', 'squawk'),
    ['--config', '.squawk.toml', transaction, '--no-error-on-unmatched-pattern', ...group],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: '1' } },
  );
  if (result.status !== 0) failed = true;
}
process.stdout.write(`${files.length} migrations linted: ${failed ? 'problems found' : 'ok'}\n`);
process.exit(failed ? 1 : 0);
