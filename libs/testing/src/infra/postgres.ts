import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client } from 'pg';

/** The maintenance database tests connect to in order to create and drop their own databases. */
export function adminDatabaseUrl(): string {
  return process.env['FLOTILLA_TEST_PG_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
}

async function withAdminClient<T>(run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({
    connectionString: adminDatabaseUrl(),
    connectionTimeoutMillis: 5000,
  });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function canConnect(): Promise<boolean> {
  try {
    await withAdminClient((client) => client.query('SELECT 1'));
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure the local PostgreSQL answers, starting the Debian cluster when it is down (a fresh
 * container or machine boots without it). Only ever starts a local cluster.
 */
export async function ensurePostgresRunning(): Promise<void> {
  if (await canConnect()) return;
  const { hostname } = new URL(adminDatabaseUrl());
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(hostname)) {
    throw new Error(
      `PostgreSQL at ${hostname} does not answer and is not local, so it cannot be started`,
    );
  }
  const version = readdirSync('/etc/postgresql').sort().at(-1);
  if (version === undefined)
    throw new Error('PostgreSQL is down and no cluster is installed under /etc/postgresql');
  try {
    await promisify(execFile)('pg_ctlcluster', [
      '--skip-systemctl-redirect',
      version,
      'main',
      'start',
    ]);
  } catch (error) {
    // "Cluster is already running." (started elsewhere meanwhile) is fine: the poll below decides.
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    const output = `${stdout}${stderr}`.trim();
    if (!/already running/i.test(output)) {
      throw new Error(`Starting PostgreSQL ${version} failed: ${output || String(error)}`);
    }
  }
  const deadline = Date.now() + 30_000;
  while (!(await canConnect())) {
    if (Date.now() > deadline)
      throw new Error('PostgreSQL did not accept connections within 30 s of starting it');
    await sleep(250);
  }
}

function quoteIdentifier(name: string): string {
  // Names come from tests, but they end up in DDL that cannot take parameters: keep them boring.
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name))
    throw new Error(`Invalid database name: ${name}`);
  return `"${name}"`;
}

/** Creates an empty database (dropping any leftover of the same name) and returns its URL. */
export async function createDatabase(name: string): Promise<string> {
  const quoted = quoteIdentifier(name);
  await withAdminClient(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoted}`);
  });
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

/** Drops a database, disconnecting whoever is still connected to it. */
export async function dropDatabase(name: string): Promise<void> {
  const quoted = quoteIdentifier(name);
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`));
}
