// Migrates fresh databases with MigrationRunner and checks (1) that the result is exactly what
// schema.prisma describes, read through Prisma's own parser, and (2) the runner's bookkeeping.
// Self-contained: creates `flotilla_mig_*` databases through the admin connection
// ($FLOTILLA_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres) and drops them.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

import { ensureDatabase } from './ensure-database';
import {
  MigrationRunner,
  migrationChecksum,
  NO_TRANSACTION_MARKER,
  PRISMA_MIGRATE_ADVISORY_LOCK_KEY,
  readMigrations,
  resolveMigrationsDir,
} from './migration-runner';
import {
  diffDbSchemas,
  expectedDbSchemaFromFile,
  type DbSchema,
  type DbTable,
  type ReferentialAction,
} from './prisma-schema-model';

jest.setTimeout(120_000);

const ADMIN_URL =
  process.env['FLOTILLA_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const MIGRATIONS_DIR = resolveMigrationsDir();
const SCHEMA_PATH = path.resolve(__dirname, '../../prisma/schema.prisma');
const created: string[] = [];

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A new empty database; dropped in afterAll. */
async function freshDatabase(): Promise<string> {
  const name = `flotilla_mig_${randomBytes(6).toString('hex')}`;
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE "${name}"`));
  created.push(name);
  return databaseUrl(name);
}

afterAll(async () => {
  await withClient(ADMIN_URL, async (c) => {
    for (const name of created) await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  });
});

const ACTIONS: Record<string, ReferentialAction> = {
  a: 'NoAction',
  r: 'Restrict',
  c: 'Cascade',
  n: 'SetNull',
  d: 'SetDefault',
};

/** The current schema of a database, in the shape prisma-schema-model derives from schema.prisma. */
async function introspect(client: Client): Promise<DbSchema> {
  const tables = await client.query<{ name: string }>(
    `SELECT c.relname::text AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
      ORDER BY c.relname`,
  );
  const columns = await client.query<{
    table: string;
    name: string;
    type: string;
    nullable: boolean;
    default: string | null;
  }>(
    `SELECT c.relname::text AS "table", a.attname::text AS name,
            format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable,
            pg_get_expr(d.adbin, d.adrelid) AS "default"
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  );
  const indexes = await client.query<{
    table: string;
    name: string;
    unique: boolean;
    primary: boolean;
    method: string;
    columns: string[];
  }>(
    `SELECT t.relname::text AS "table", i.relname::text AS name, ix.indisunique AS "unique",
            ix.indisprimary AS "primary", am.amname::text AS method,
            ARRAY(
              SELECT COALESCE(a.attname::text, pg_get_indexdef(ix.indexrelid, k + 1, true))
                     || CASE WHEN (ix.indoption[k] & 1) = 1 THEN ' DESC' ELSE '' END
                FROM generate_series(0, ix.indnkeyatts - 1) AS k
                LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = ix.indkey[k]
               ORDER BY k
            )::text[] AS columns
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_am am ON am.oid = i.relam
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = current_schema()
      ORDER BY t.relname, i.relname`,
  );
  const foreignKeys = await client.query<{
    table: string;
    name: string;
    referenced_table: string;
    on_delete: string;
    on_update: string;
    columns: string[];
    referenced_columns: string[];
  }>(
    `SELECT t.relname::text AS "table", con.conname::text AS name, rt.relname::text AS referenced_table,
            con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                   ORDER BY k.ord)::text[] AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                   ORDER BY k.ord)::text[] AS referenced_columns
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_class rt ON rt.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE con.contype = 'f' AND n.nspname = current_schema()
      ORDER BY t.relname, con.conname`,
  );
  const enums = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname::text AS name,
            ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder)::text[] AS values
       FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE t.typtype = 'e' AND n.nspname = current_schema()
      ORDER BY t.typname`,
  );

  const byTable = new Map<string, DbTable>(
    tables.rows.map((t) => [
      t.name,
      { name: t.name, columns: [], primaryKey: null, indexes: [], foreignKeys: [] },
    ]),
  );
  for (const c of columns.rows) {
    byTable
      .get(c.table)
      ?.columns.push({ name: c.name, type: c.type, nullable: c.nullable, default: c.default });
  }
  for (const i of indexes.rows) {
    const table = byTable.get(i.table);
    if (!table) continue;
    if (i.primary) table.primaryKey = { name: i.name, columns: i.columns };
    else
      table.indexes.push({ name: i.name, unique: i.unique, method: i.method, columns: i.columns });
  }
  for (const f of foreignKeys.rows) {
    byTable.get(f.table)?.foreignKeys.push({
      name: f.name,
      columns: f.columns,
      referencedTable: f.referenced_table,
      referencedColumns: f.referenced_columns,
      onDelete: ACTIONS[f.on_delete] ?? 'NoAction',
      onUpdate: ACTIONS[f.on_update] ?? 'NoAction',
    });
  }
  return { tables: [...byTable.values()], enums: enums.rows };
}

const localMigrations = readMigrations(MIGRATIONS_DIR);
const allNames = localMigrations.map((m) => m.name);

describe('migrated database vs schema.prisma', () => {
  let url: string;
  const expected = expectedDbSchemaFromFile(SCHEMA_PATH);

  beforeAll(async () => {
    url = await freshDatabase();
    const { applied } = await new MigrationRunner(url, MIGRATIONS_DIR).migrate();
    expect(applied).toEqual(allNames);
  });

  it('has every model table, column, enum, index, primary key and foreign key — and nothing else', async () => {
    expect(expected.tables.length).toBeGreaterThan(0);
    const actual = await withClient(url, introspect);
    // A failure lists each difference on its own line, e.g.
    //   table "endpoints": column "ordered" is missing (expected boolean NOT NULL DEFAULT false)
    expect(diffDbSchemas(expected, actual)).toEqual([]);
  });

  it('reports drift as a readable list of differences', async () => {
    await withClient(url, async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(`ALTER TABLE "endpoints" DROP COLUMN "ordered"`);
        await client.query(`ALTER TABLE "endpoints" ALTER COLUMN "description" SET NOT NULL`);
        await client.query(`DROP INDEX "events_project_id_event_type_id_idx"`);
        await client.query(
          `CREATE INDEX "events_project_id_event_type_id_idx" ON "events"("project_id", "event_type", "id")`,
        );
        await client.query(
          `ALTER TABLE "subscriptions" DROP CONSTRAINT "subscriptions_source_id_fkey"`,
        );
        await client.query(
          `ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_source_id_fkey" FOREIGN KEY ("source_id")
             REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE`,
        );
        await client.query(`ALTER TYPE "DeliveryStatus" ADD VALUE 'Cancelled'`);
        await client.query(`CREATE TABLE "stray" ("id" INTEGER)`);
        const diff = diffDbSchemas(expected, await introspect(client));
        expect(diff).toEqual([
          'enum "DeliveryStatus": values are [Scheduled, Processing, Success, Retry, Failure, Discarded, Cancelled], expected [Scheduled, Processing, Success, Retry, Failure, Discarded]',
          'table "endpoints": column "description" is NOT NULL, expected NULL',
          'table "endpoints": column "ordered" is missing (expected boolean NOT NULL DEFAULT false)',
          'table "subscriptions": foreign key "subscriptions_source_id_fkey" is (source_id) -> sources(id) ON DELETE Cascade ON UPDATE Cascade, expected (source_id) -> sources(id) ON DELETE SetNull ON UPDATE Cascade',
          'table "events": index "events_project_id_event_type_id_idx" is btree (project_id, event_type, id), expected btree (project_id, event_type, id DESC)',
          'table "stray" exists but is not in schema.prisma',
        ]);
      } finally {
        await client.query('ROLLBACK');
      }
    });
  });
});

describe('MigrationRunner', () => {
  it('finds the repository migrations by default, or in $FLOTILLA_MIGRATIONS_DIR', () => {
    const saved = process.env['FLOTILLA_MIGRATIONS_DIR'];
    try {
      delete process.env['FLOTILLA_MIGRATIONS_DIR'];
      expect(resolveMigrationsDir()).toBe(path.resolve(__dirname, '../../prisma/migrations'));
      process.env['FLOTILLA_MIGRATIONS_DIR'] = tmpdir();
      expect(new MigrationRunner(ADMIN_URL).migrationsDir).toBe(path.resolve(tmpdir()));
    } finally {
      if (saved === undefined) delete process.env['FLOTILLA_MIGRATIONS_DIR'];
      else process.env['FLOTILLA_MIGRATIONS_DIR'] = saved;
    }
    expect(
      readMigrations(path.resolve(__dirname, '../../prisma/migrations')).map((m) => m.name),
    ).toContain('20261129000000_init');
  });

  it('is idempotent and records _prisma_migrations rows the way Prisma does', async () => {
    const url = await freshDatabase();
    const runner = new MigrationRunner(url, MIGRATIONS_DIR);
    expect(await runner.status()).toEqual({
      applied: [],
      pending: allNames,
      failed: [],
      modified: [],
      missingLocally: [],
    });
    expect(await runner.migrate()).toEqual({ applied: allNames });
    expect(await runner.migrate()).toEqual({ applied: [] });
    expect(await runner.status()).toEqual({
      applied: allNames,
      pending: [],
      failed: [],
      modified: [],
      missingLocally: [],
    });

    const rows = await withClient(url, (c) =>
      c.query<{
        id: string;
        checksum: string;
        migration_name: string;
        finished_at: Date | null;
        rolled_back_at: Date | null;
        started_at: Date;
        applied_steps_count: number;
        logs: string | null;
      }>(`SELECT * FROM "_prisma_migrations" ORDER BY "started_at"`),
    );
    expect(rows.rows.map((r) => r.migration_name)).toEqual(allNames);
    for (const row of rows.rows) {
      const file = readFileSync(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
      expect(row.checksum).toBe(migrationChecksum(file));
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at.getTime());
    }

    // The table itself is Prisma's: same columns, types, nullability and defaults.
    const columns = await withClient(url, (c) =>
      c.query<{
        column_name: string;
        data_type: string;
        is_nullable: string;
        column_default: string | null;
        len: number | null;
      }>(
        `SELECT column_name, data_type, is_nullable, column_default, character_maximum_length AS len
           FROM information_schema.columns
          WHERE table_schema = current_schema() AND table_name = '_prisma_migrations'
          ORDER BY ordinal_position`,
      ),
    );
    expect(columns.rows).toEqual([
      {
        column_name: 'id',
        data_type: 'character varying',
        is_nullable: 'NO',
        column_default: null,
        len: 36,
      },
      {
        column_name: 'checksum',
        data_type: 'character varying',
        is_nullable: 'NO',
        column_default: null,
        len: 64,
      },
      {
        column_name: 'finished_at',
        data_type: 'timestamp with time zone',
        is_nullable: 'YES',
        column_default: null,
        len: null,
      },
      {
        column_name: 'migration_name',
        data_type: 'character varying',
        is_nullable: 'NO',
        column_default: null,
        len: 255,
      },
      {
        column_name: 'logs',
        data_type: 'text',
        is_nullable: 'YES',
        column_default: null,
        len: null,
      },
      {
        column_name: 'rolled_back_at',
        data_type: 'timestamp with time zone',
        is_nullable: 'YES',
        column_default: null,
        len: null,
      },
      {
        column_name: 'started_at',
        data_type: 'timestamp with time zone',
        is_nullable: 'NO',
        column_default: 'now()',
        len: null,
      },
      {
        column_name: 'applied_steps_count',
        data_type: 'integer',
        is_nullable: 'NO',
        column_default: '0',
        len: null,
      },
    ]);
  });

  it('refuses to run when an applied migration was modified (checksum mismatch)', async () => {
    const url = await freshDatabase();
    const runner = new MigrationRunner(url, MIGRATIONS_DIR);
    await runner.migrate();
    const first = allNames[0]!;
    await withClient(url, (c) =>
      c.query(`UPDATE "_prisma_migrations" SET "checksum" = $1 WHERE "migration_name" = $2`, [
        '0'.repeat(64),
        first,
      ]),
    );
    await expect(runner.migrate()).rejects.toThrow(
      new RegExp(
        `Migration "${first}" was modified after it was applied.*_prisma_migrations has 0{64}`,
      ),
    );
    expect((await runner.status()).modified).toEqual([first]);
  });

  it('accepts a checksum computed with the other line endings, as Prisma does', async () => {
    const url = await freshDatabase();
    const runner = new MigrationRunner(url, MIGRATIONS_DIR);
    await runner.migrate();
    const first = localMigrations[0]!;
    const crlf = migrationChecksum(first.sql.replace(/\n/g, '\r\n'));
    await withClient(url, (c) =>
      c.query(`UPDATE "_prisma_migrations" SET "checksum" = $1 WHERE "migration_name" = $2`, [
        crlf,
        first.name,
      ]),
    );
    await expect(runner.migrate()).resolves.toEqual({ applied: [] });
  });

  it('refuses to run while a migration is recorded as failed', async () => {
    const url = await freshDatabase();
    const runner = new MigrationRunner(url, MIGRATIONS_DIR);
    await runner.migrate();
    await withClient(url, (c) =>
      c.query(
        `INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count")
         VALUES ('00000000-0000-4000-8000-000000000000', $1, '20990101000000_half_done', now(), 0)`,
        ['f'.repeat(64)],
      ),
    );
    await expect(runner.migrate()).rejects.toThrow(
      /Migration "20990101000000_half_done" is recorded as failed/,
    );
    expect((await runner.status()).failed).toEqual(['20990101000000_half_done']);
  });

  describe('with a scratch migrations directory', () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'flotilla-migrations-'));
      cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    function addMigration(name: string, sql: string): void {
      mkdirSync(path.join(dir, name), { recursive: true });
      writeFileSync(path.join(dir, name, 'migration.sql'), sql);
    }

    it('rolls a failing migration back completely, records the attempt, and retries it next time', async () => {
      const url = await freshDatabase();
      const broken = '29990101000000_broken';
      addMigration(broken, 'CREATE TABLE "half" ("id" INTEGER);\nSELECT 1 / 0;\n');
      const runner = new MigrationRunner(url, dir);

      await expect(runner.migrate()).rejects.toThrow(
        /Migration "29990101000000_broken" failed and was rolled back: division by zero/,
      );
      const after = await withClient(url, async (c) => ({
        half: (await c.query(`SELECT to_regclass('"half"') AS t`)).rows[0] as { t: string | null },
        rows: (
          await c.query<{
            migration_name: string;
            finished_at: Date | null;
            rolled_back_at: Date | null;
            logs: string | null;
          }>(
            `SELECT "migration_name", "finished_at", "rolled_back_at", "logs" FROM "_prisma_migrations" ORDER BY "started_at"`,
          )
        ).rows,
      }));
      expect(after.half.t).toBeNull();
      // Earlier migrations stay applied; the failed attempt is on record as rolled back.
      expect(after.rows.map((r) => r.migration_name)).toEqual([...allNames, broken]);
      const attempt = after.rows.at(-1)!;
      expect(attempt.finished_at).toBeNull();
      expect(attempt.rolled_back_at).toBeInstanceOf(Date);
      expect(attempt.logs).toContain('division by zero');
      expect(await runner.status()).toMatchObject({
        applied: allNames,
        pending: [broken],
        failed: [],
      });

      addMigration(broken, 'CREATE TABLE "half" ("id" INTEGER);\n');
      await expect(runner.migrate()).resolves.toEqual({ applied: [broken] });
      expect((await runner.status()).applied).toEqual([...allNames, broken]);
    });

    it('lets concurrent runners (replicas starting together) apply each migration exactly once', async () => {
      const url = await freshDatabase();
      addMigration(
        '29990101000001_slow',
        'SELECT pg_sleep(0.3);\nCREATE TABLE "slow" ("id" INTEGER);\n',
      );
      const results = await Promise.all(
        Array.from({ length: 4 }, () => new MigrationRunner(url, dir).migrate()),
      );
      const applied = results.flatMap((r) => r.applied).sort();
      expect(applied).toEqual([...allNames, '29990101000001_slow'].sort());
      const count = await withClient(url, (c) =>
        c.query<{ n: string }>(`SELECT count(*) AS n FROM "_prisma_migrations"`),
      );
      expect(Number(count.rows[0]!.n)).toBe(allNames.length + 1);
    });

    it('ignores migrations applied by a newer release that this directory does not have', async () => {
      const url = await freshDatabase();
      addMigration('29990101000002_newer', 'CREATE TABLE "newer" ("id" INTEGER);\n');
      await new MigrationRunner(url, dir).migrate();
      const older = new MigrationRunner(url, MIGRATIONS_DIR);
      await expect(older.migrate()).resolves.toEqual({ applied: [] });
      expect((await older.status()).missingLocally).toEqual(['29990101000002_newer']);
    });

    it('runs a no-transaction migration (CREATE INDEX CONCURRENTLY) outside a transaction, with Prisma bookkeeping', async () => {
      const url = await freshDatabase();
      const name = '29990101000003_concurrent_index';
      addMigration(
        name,
        `${NO_TRANSACTION_MARKER}\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "events_created_at_idx" ON "events"("created_at");\n`,
      );
      const runner = new MigrationRunner(url, dir);
      await expect(runner.migrate()).resolves.toEqual({ applied: [...allNames, name] });
      const index = await withClient(url, (c) =>
        c.query<{ valid: boolean }>(
          `SELECT i.indisvalid AS "valid" FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE c.relname = 'events_created_at_idx'`,
        ),
      );
      expect(index.rows).toEqual([{ valid: true }]);
      expect(await runner.status()).toMatchObject({ applied: [...allNames, name], failed: [] });
    });

    it('drops the invalid index a failed concurrent build leaves, records the attempt, and retries it next time', async () => {
      const url = await freshDatabase();
      await new MigrationRunner(url, dir).migrate();
      await withClient(url, (c) =>
        c.query(`CREATE TABLE "twins" ("id" INTEGER); INSERT INTO "twins" VALUES (1), (1);`),
      );
      const name = '29990101000004_unique_twins';
      addMigration(
        name,
        `${NO_TRANSACTION_MARKER}\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "twins_id_key" ON "twins"("id");\n`,
      );
      const runner = new MigrationRunner(url, dir);
      await expect(runner.migrate()).rejects.toThrow(
        /Migration "29990101000004_unique_twins" failed and was rolled back: could not create unique index/,
      );
      const left = await withClient(url, (c) =>
        c.query(`SELECT 1 FROM pg_class WHERE relname = 'twins_id_key'`),
      );
      expect(left.rowCount).toBe(0);
      expect(await runner.status()).toMatchObject({ pending: [name], failed: [] });

      await withClient(url, (c) =>
        c.query(`DELETE FROM "twins" WHERE ctid = (SELECT min(ctid) FROM "twins")`),
      );
      await expect(runner.migrate()).resolves.toEqual({ applied: [name] });
    });

    it('gives up on a table lock after statementLockTimeoutMs instead of queueing the services behind it', async () => {
      const url = await freshDatabase();
      await new MigrationRunner(url, dir).migrate();
      const name = '29990101000005_alter_events';
      addMigration(name, 'ALTER TABLE "events" ADD COLUMN "note" TEXT;\n');
      await withClient(url, async (holder) => {
        await holder.query('BEGIN');
        await holder.query('SELECT count(*) FROM "events"');
        await expect(
          new MigrationRunner(url, dir, { statementLockTimeoutMs: 200 }).migrate(),
        ).rejects.toThrow(/failed and was rolled back: canceling statement due to lock timeout/);
        await holder.query('ROLLBACK');
      });
      await expect(new MigrationRunner(url, dir).migrate()).resolves.toEqual({ applied: [name] });
    });

    it('waits for the advisory lock held by another migrator, and gives up after lockTimeoutMs', async () => {
      const url = await freshDatabase();
      await withClient(url, async (holder) => {
        await holder.query('SELECT pg_advisory_lock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK_KEY]);
        await expect(
          new MigrationRunner(url, dir, { lockTimeoutMs: 300 }).migrate(),
        ).rejects.toThrow(/Timed out after 300 ms waiting for the migration advisory lock/);
        const waiting = new MigrationRunner(url, dir).migrate();
        await new Promise((resolve) => setTimeout(resolve, 300));
        await holder.query('SELECT pg_advisory_unlock($1)', [PRISMA_MIGRATE_ADVISORY_LOCK_KEY]);
        await expect(waiting).resolves.toEqual({ applied: allNames });
      });
    });
  });
});

describe('ensureDatabase', () => {
  it('creates a missing database once, then leaves it alone', async () => {
    const name = `flotilla_mig_${randomBytes(6).toString('hex')}`;
    created.push(name);
    const url = databaseUrl(name);
    await expect(ensureDatabase(url)).resolves.toEqual({ database: name, created: true });
    await expect(ensureDatabase(url)).resolves.toEqual({ database: name, created: false });
    await expect(withClient(url, (c) => c.query('SELECT 1'))).resolves.toBeDefined();
  });
});
