// Creates the database named in a postgres:// URL when it does not exist yet, by connecting to the
// `postgres` maintenance database of the same server (same credentials) and running CREATE DATABASE.
import { Client } from 'pg';

export interface EnsureDatabaseResult {
  database: string;
  created: boolean;
}

const INVALID_CATALOG_NAME = '3D000'; // database does not exist
// Created meanwhile by someone else (another replica): 42P04, or 23505 when both CREATE DATABASE
// statements get as far as inserting into pg_database.
const ALREADY_CREATED = new Set(['42P04', '23505']);

export async function ensureDatabase(url: string): Promise<EnsureDatabaseResult> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.replace(/^\//, ''));
  // Drop Prisma's `schema` parameter: the server would reject it as an unknown startup option.
  target.searchParams.delete('schema');
  if (database === '') {
    // No database in the URL: the server picks the user's default database; nothing to create.
    return { database, created: false };
  }

  const probe = new Client({ connectionString: target.toString() });
  try {
    await probe.connect();
    return { database, created: false };
  } catch (err) {
    if (pgErrorCode(err) !== INVALID_CATALOG_NAME) throw err;
  } finally {
    await probe.end().catch(() => undefined);
  }

  const admin = new URL(target.toString());
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${quoteIdent(database)}`);
    return { database, created: true };
  } catch (err) {
    if (ALREADY_CREATED.has(pgErrorCode(err) ?? '')) return { database, created: false };
    throw err;
  } finally {
    await client.end();
  }
}

function pgErrorCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    return typeof err.code === 'string' ? err.code : undefined;
  }
  return undefined;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
