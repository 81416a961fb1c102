// Applies the SQL migrations in libs/db/prisma/migrations the way `prisma migrate deploy` does, but
// with node-postgres only (the Prisma schema engine binary is not needed at runtime). The bookkeeping
// is Prisma's own `_prisma_migrations` table, so this runner and the Prisma CLI can take turns on the
// same database, and both serialise on the same advisory lock.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/** Prisma Migrate's advisory lock key: holding it also keeps `prisma migrate deploy` out. */
export const PRISMA_MIGRATE_ADVISORY_LOCK_KEY = 72707369;
/** How often a runner that finds another migrating asks for the lock again. */
const LOCK_POLL_INTERVAL_MS = 100;

/** The table exactly as the Prisma schema engine creates it on PostgreSQL. */
export const PRISMA_MIGRATIONS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

const MIGRATIONS_DIR_IN_REPO = path.join('libs', 'db', 'prisma', 'migrations');
const MIGRATION_FILE = 'migration.sql';

export interface MigrationRunnerOptions {
  /** Called with one human-readable line per notable step. Default: silent. */
  log?: (line: string) => void;
  /** How long to wait for another migrator (a replica, `prisma migrate deploy`) to finish. */
  lockTimeoutMs?: number;
  /**
   * How long a transactional migration may wait for a table lock (PostgreSQL's lock_timeout).
   * While an ALTER waits for its lock, every later query on that table queues behind it, so a
   * migration that cannot get its lock soon fails (and is rolled back, to be run again later)
   * rather than stall the running services. Default 10 s.
   */
  statementLockTimeoutMs?: number;
}

/**
 * First line of a migration that must run outside a transaction block: one statement such as
 * `CREATE INDEX CONCURRENTLY`, which PostgreSQL refuses inside a transaction and which then builds
 * the index without blocking writes. `prisma migrate deploy` runs such a file as it is (a single
 * statement is not wrapped in a transaction either), so both runners treat it alike.
 */
export const NO_TRANSACTION_MARKER = '-- flotilla:no-transaction';

/** Whether a migration runs outside a transaction block (see {@link NO_TRANSACTION_MARKER}). */
export function runsOutsideTransaction(sql: string): boolean {
  return (
    sql
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/, 1)[0]
      ?.trim() === NO_TRANSACTION_MARKER
  );
}

export interface MigrateResult {
  /** Names of the migrations this call applied, in order (empty when already up to date). */
  applied: string[];
}

export interface MigrationStatus {
  /** Applied migrations whose file still matches the recorded checksum. */
  applied: string[];
  /** Migrations in the directory not applied yet, in the order they would be applied. */
  pending: string[];
  /** Recorded as started but neither finished nor rolled back (Prisma's P3009 state). */
  failed: string[];
  /** Applied, but migration.sql no longer matches the recorded checksum. */
  modified: string[];
  /** Applied in the database but absent from the directory (e.g. a newer release ran first). */
  missingLocally: string[];
}

export interface LocalMigration {
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

export class MigrationError extends Error {
  constructor(
    message: string,
    readonly migration?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

/** SHA-256 (lowercase hex) of the migration file bytes: what Prisma stores in `checksum`. */
export function migrationChecksum(script: string | Buffer): string {
  return createHash('sha256').update(script).digest('hex');
}

/**
 * Prisma accepts a checksum computed over the script as-is, with CRLF turned into LF, or with LF
 * turned into CRLF (git may rewrite line endings on checkout).
 */
export function scriptMatchesChecksum(script: string, checksum: string): boolean {
  const expected = checksum.toLowerCase();
  return (
    migrationChecksum(script) === expected ||
    migrationChecksum(script.replace(/\r\n/g, '\n')) === expected ||
    migrationChecksum(script.replace(/\r?\n/g, '\r\n')) === expected
  );
}

/**
 * Where the migrations live: $FLOTILLA_MIGRATIONS_DIR, else the first `libs/db/prisma/migrations`
 * found walking up from this file (works from src/ and from a dist/ build inside the repo), else
 * walking up from the working directory.
 */
export function resolveMigrationsDir(): string {
  const fromEnv = process.env['FLOTILLA_MIGRATIONS_DIR'];
  if (fromEnv) {
    const dir = path.resolve(fromEnv);
    if (!isDirectory(dir)) {
      throw new MigrationError(`FLOTILLA_MIGRATIONS_DIR=${fromEnv} is not a directory`);
    }
    return dir;
  }
  for (const start of [__dirname, process.cwd()]) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, MIGRATIONS_DIR_IN_REPO);
      if (isDirectory(candidate)) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new MigrationError(
    `Cannot find ${MIGRATIONS_DIR_IN_REPO} above ${__dirname} or ${process.cwd()}; ` +
      'set FLOTILLA_MIGRATIONS_DIR to the migrations directory',
  );
}

/** The migration folders (`<timestamp>_<name>/migration.sql`), sorted by name as Prisma does. */
export function readMigrations(migrationsDir: string): LocalMigration[] {
  if (!isDirectory(migrationsDir)) {
    throw new MigrationError(`Migrations directory ${migrationsDir} does not exist`);
  }
  return readdirSync(migrationsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => {
      const file = path.join(migrationsDir, name, MIGRATION_FILE);
      if (!existsSync(file)) {
        throw new MigrationError(`Migration "${name}" has no ${MIGRATION_FILE} (${file})`, name);
      }
      const bytes = readFileSync(file);
      return { name, sql: bytes.toString('utf8'), checksum: migrationChecksum(bytes) };
    });
}

export class MigrationRunner {
  readonly migrationsDir: string;
  private readonly pgConnectionString: string;
  private readonly schema: string | undefined;
  private readonly log: (line: string) => void;
  private readonly lockTimeoutMs: number;
  private readonly statementLockTimeoutMs: number;

  /**
   * @param connectionString a postgres:// URL. A Prisma-style `?schema=` parameter is honoured
   *   (the schema is created if missing and used as search_path), and not passed on to the server.
   * @param migrationsDir defaults to {@link resolveMigrationsDir}.
   */
  constructor(
    connectionString: string,
    migrationsDir?: string,
    options: MigrationRunnerOptions = {},
  ) {
    const { url, schema } = splitSchemaParam(connectionString);
    this.pgConnectionString = url;
    this.schema = schema;
    this.migrationsDir = migrationsDir ? path.resolve(migrationsDir) : resolveMigrationsDir();
    this.log = options.log ?? (() => undefined);
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10 * 60_000;
    this.statementLockTimeoutMs = options.statementLockTimeoutMs ?? 10_000;
  }

  /**
   * Applies every pending migration under the advisory lock: each in its own transaction, except
   * those marked {@link NO_TRANSACTION_MARKER}.
   */
  async migrate(): Promise<MigrateResult> {
    const local = readMigrations(this.migrationsDir);
    const client = await this.connect();
    try {
      await this.acquireLock(client);
      try {
        await client.query(PRISMA_MIGRATIONS_TABLE_DDL);
        const rows = await this.readRows(client);
        const pending = this.plan(local, rows);
        const applied: string[] = [];
        for (const migration of pending) {
          await this.apply(client, migration);
          applied.push(migration.name);
        }
        return { applied };
      } finally {
        // Ending the session releases the lock anyway; never let this hide the real error.
        await client
          .query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK_KEY])
          .catch(() => undefined);
      }
    } finally {
      await client.end();
    }
  }

  /** Compares the directory with `_prisma_migrations` without changing anything. */
  async status(): Promise<MigrationStatus> {
    const local = readMigrations(this.migrationsDir);
    const client = await this.connect();
    let rows: MigrationRow[];
    try {
      const exists = await client.query<{ exists: boolean }>(
        `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`,
      );
      rows = exists.rows[0]?.exists ? await this.readRows(client) : [];
    } finally {
      await client.end();
    }
    const byName = new Map(local.map((m) => [m.name, m]));
    const status: MigrationStatus = {
      applied: [],
      pending: [],
      failed: [],
      modified: [],
      missingLocally: [],
    };
    const done = new Set<string>();
    for (const row of rows) {
      if (row.rolled_back_at !== null) continue;
      if (row.finished_at === null) {
        status.failed.push(row.migration_name);
        continue;
      }
      if (done.has(row.migration_name)) continue;
      done.add(row.migration_name);
      const file = byName.get(row.migration_name);
      if (!file) status.missingLocally.push(row.migration_name);
      else if (!scriptMatchesChecksum(file.sql, row.checksum))
        status.modified.push(row.migration_name);
      else status.applied.push(row.migration_name);
    }
    const failed = new Set(status.failed);
    status.pending = local.map((m) => m.name).filter((n) => !done.has(n) && !failed.has(n));
    return status;
  }

  private async connect(): Promise<Client> {
    const client = new Client({
      connectionString: this.pgConnectionString,
      application_name: 'flotilla-migrate',
    });
    await client.connect();
    try {
      // Keep server notices (e.g. "relation already exists, skipping") out of the logs.
      await client.query(`SET client_min_messages = warning`);
      if (this.schema !== undefined) {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(this.schema)}`);
        await client.query(`SET search_path TO ${quoteIdent(this.schema)}`);
      }
    } catch (err) {
      await client.end();
      throw err;
    }
    return client;
  }

  private async acquireLock(client: Client): Promise<void> {
    // Poll with pg_try_advisory_lock instead of waiting inside pg_advisory_lock: a waiting
    // statement holds a snapshot, and `CREATE INDEX CONCURRENTLY` in the holder's migration waits
    // for every such snapshot to end, so replicas starting together would deadlock on it.
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      const result = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [PRISMA_MIGRATE_ADVISORY_LOCK_KEY],
      );
      if (result.rows[0]?.locked === true) return;
      if (Date.now() >= deadline) {
        throw new MigrationError(
          `Timed out after ${this.lockTimeoutMs} ms waiting for the migration advisory lock ` +
            `(pg_advisory_lock(${PRISMA_MIGRATE_ADVISORY_LOCK_KEY})): another migrator is running`,
        );
      }
      await sleep(LOCK_POLL_INTERVAL_MS);
    }
  }

  private async readRows(client: Client): Promise<MigrationRow[]> {
    const result = await client.query<MigrationRow>(
      `SELECT "id", "checksum", "migration_name", "finished_at", "rolled_back_at"
         FROM "_prisma_migrations" ORDER BY "started_at" ASC, "migration_name" ASC`,
    );
    return result.rows;
  }

  /** Refuses to go on when the history is broken; returns what is left to apply, in order. */
  private plan(local: LocalMigration[], rows: MigrationRow[]): LocalMigration[] {
    const failed = rows.filter((r) => r.finished_at === null && r.rolled_back_at === null);
    const firstFailed = failed[0];
    if (firstFailed) {
      throw new MigrationError(
        `Migration "${firstFailed.migration_name}" is recorded as failed in _prisma_migrations ` +
          '(started, neither finished nor rolled back). Fix the database, then mark it with ' +
          `\`prisma migrate resolve --rolled-back ${firstFailed.migration_name}\` (or --applied).`,
        firstFailed.migration_name,
      );
    }
    const applied = new Map<string, MigrationRow>();
    for (const row of rows) {
      if (row.finished_at !== null && row.rolled_back_at === null)
        applied.set(row.migration_name, row);
    }
    const pending: LocalMigration[] = [];
    for (const migration of local) {
      const row = applied.get(migration.name);
      if (!row) {
        pending.push(migration);
      } else if (!scriptMatchesChecksum(migration.sql, row.checksum)) {
        throw new MigrationError(
          `Migration "${migration.name}" was modified after it was applied: the checksum of ` +
            `${path.join(this.migrationsDir, migration.name, MIGRATION_FILE)} is ${migration.checksum}, ` +
            `_prisma_migrations has ${row.checksum}. Restore the original file and put the change in a new migration.`,
          migration.name,
        );
      }
    }
    for (const name of applied.keys()) {
      if (!local.some((m) => m.name === name)) {
        this.log(`migration ${name} is applied but not in ${this.migrationsDir} (newer release?)`);
      }
    }
    return pending;
  }

  private async apply(client: Client, migration: LocalMigration): Promise<void> {
    this.log(`applying ${migration.name}`);
    if (runsOutsideTransaction(migration.sql))
      await this.applyOutsideTransaction(client, migration);
    else await this.applyInTransaction(client, migration);
    this.log(`applied ${migration.name}`);
  }

  private async applyInTransaction(client: Client, migration: LocalMigration): Promise<void> {
    const id = randomUUID();
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${String(this.statementLockTimeoutMs)}`);
      await this.recordStart(client, id, migration);
      // No parameters: the simple query protocol runs the whole multi-statement script.
      await client.query(migration.sql);
      await this.recordFinish(client, id);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      await this.failed(client, migration, err);
    }
  }

  /**
   * Prisma's bookkeeping around a statement that cannot run in a transaction: the row is written
   * first (so an interrupted run shows as started), the statement runs alone, then the row is
   * finished. A failed concurrent index build leaves an INVALID index behind; it is dropped, so
   * the attempt can be recorded as rolled back and the next run starts clean.
   */
  private async applyOutsideTransaction(client: Client, migration: LocalMigration): Promise<void> {
    const id = randomUUID();
    await this.recordStart(client, id, migration);
    try {
      await client.query(migration.sql);
    } catch (err) {
      await client
        .query(`DELETE FROM "_prisma_migrations" WHERE "id" = $1`, [id])
        .catch(() => undefined);
      await this.dropInvalidIndexes(client, migration);
      await this.failed(client, migration, err);
    }
    await this.recordFinish(client, id);
  }

  /** Drops the INVALID indexes (a failed concurrent build's) that the migration names. */
  private async dropInvalidIndexes(client: Client, migration: LocalMigration): Promise<void> {
    const invalid = await client
      .query<{ schema: string; name: string }>(
        `SELECT n.nspname AS "schema", c.relname AS "name"
           FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE NOT i.indisvalid AND n.nspname = current_schema()`,
      )
      .then((result) => result.rows)
      .catch(() => []);
    for (const index of invalid.filter((row) => migration.sql.includes(row.name))) {
      this.log(`dropping invalid index ${index.name} left by ${migration.name}`);
      await client
        .query(
          `DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(index.schema)}.${quoteIdent(index.name)}`,
        )
        .catch(() => undefined);
    }
  }

  private async recordStart(client: Client, id: string, migration: LocalMigration): Promise<void> {
    await client.query(
      `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count")
       VALUES ($1, $2, $3, now(), 0)`,
      [id, migration.checksum, migration.name],
    );
  }

  private async recordFinish(client: Client, id: string): Promise<void> {
    await client.query(
      `UPDATE "_prisma_migrations" SET "finished_at" = clock_timestamp(), "applied_steps_count" = 1
        WHERE "id" = $1`,
      [id],
    );
  }

  /**
   * The migration left nothing behind, so the attempt is recorded as rolled back (as
   * `prisma migrate resolve --rolled-back` would): history for humans, no P3009 lock-out.
   */
  private async failed(client: Client, migration: LocalMigration, err: unknown): Promise<never> {
    const reason = err instanceof Error ? err.message : String(err);
    await client
      .query(
        `INSERT INTO "_prisma_migrations"
           ("id", "checksum", "migration_name", "logs", "started_at", "rolled_back_at", "applied_steps_count")
         VALUES ($1, $2, $3, $4, now(), now(), 0)`,
        [randomUUID(), migration.checksum, migration.name, reason],
      )
      .catch(() => undefined);
    throw new MigrationError(
      `Migration "${migration.name}" failed and was rolled back: ${reason}`,
      migration.name,
      { cause: err },
    );
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** Removes Prisma's `schema` query parameter, which PostgreSQL itself would not understand. */
function splitSchemaParam(connectionString: string): { url: string; schema?: string } {
  let url: URL;
  try {
    url = new URL(connectionString);
  } catch {
    return { url: connectionString };
  }
  const schema = url.searchParams.get('schema');
  if (schema === null) return { url: connectionString };
  url.searchParams.delete('schema');
  return schema === '' ? { url: url.toString() } : { url: url.toString(), schema };
}
