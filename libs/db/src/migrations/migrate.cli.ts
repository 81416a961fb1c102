// Applies pending migrations to $DATABASE_URL (creating the database first if needed) and prints
// one JSON line. Exit code 0 on success, 1 on any failure.
//
//   DATABASE_URL=postgresql://postgres@127.0.0.1:5432/flotilla npx jiti libs/db/src/migrations/migrate.cli.ts
//   DATABASE_URL=... npx jiti libs/db/src/migrations/migrate.cli.ts status
//
// FLOTILLA_MIGRATIONS_DIR overrides where the migration folders are read from.
import * as path from 'node:path';

import { ensureDatabase } from './ensure-database';
import { MigrationError, MigrationRunner } from './migration-runner';

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const url = process.env['DATABASE_URL'];
  if (!url) {
    process.stderr.write(
      `${JSON.stringify({
        ok: false,
        error: 'DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/flotilla)',
      })}\n`,
    );
    return 1;
  }
  const command = argv[0] ?? 'deploy';
  try {
    if (command === 'status') {
      const runner = new MigrationRunner(url);
      const status = await runner.status();
      process.stdout.write(`${JSON.stringify({ ok: true, ...status })}\n`);
      return 0;
    }
    if (command !== 'deploy') {
      process.stderr.write(
        `${JSON.stringify({ ok: false, error: `unknown command ${command}` })}\n`,
      );
      return 1;
    }
    const { database, created } = await ensureDatabase(url);
    const runner = new MigrationRunner(url, undefined, {
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const { applied } = await runner.migrate();
    process.stdout.write(
      `${JSON.stringify({ ok: true, database, databaseCreated: created, applied })}\n`,
    );
    return 0;
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    const migration = err instanceof MigrationError ? err.migration : undefined;
    process.stderr.write(`${JSON.stringify({ ok: false, error, migration })}\n`);
    return 1;
  }
}

// `require.main` is this module under plain node; loaders such as jiti leave it unset but put the
// script in argv[1].
function invokedDirectly(): boolean {
  if (require.main === module) return true;
  const script = process.argv[1];
  const strip = (file: string) => file.replace(/\.[cm]?[jt]s$/, '');
  return script !== undefined && strip(path.resolve(script)) === strip(__filename);
}

if (invokedDirectly()) {
  void main().then((code) => {
    process.exitCode = code;
  });
}
