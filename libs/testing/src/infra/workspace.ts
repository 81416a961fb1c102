// Workspace helpers free of path aliases: jest's globalSetup runs them without moduleNameMapper.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** The workspace root: the nearest folder above this file that holds nx.json. */
export function findRepoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`No nx.json above ${from}`);
  }
}

/** Compiles the launcher when needed (build.sh decides) and returns the binary's path. */
export async function buildKafkaMock(): Promise<string> {
  const script = join(findRepoRoot(), 'tools', 'kafka-mock', 'build.sh');
  try {
    const { stdout } = await promisify(execFile)('sh', [script]);
    return stdout.trim().split('\n').at(-1) ?? '';
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? '';
    throw new Error(`Building the Kafka mock failed (${script}):\n${stderr || String(error)}`);
  }
}

export const SERVICE_NAMES = [
  'ingest-api',
  'dispatcher',
  'scheduler',
  'pubsub-ingester',
  'sqs-ingester',
  'amqp-ingester',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/**
 * Where `nx build` puts a service's entry point. `FLOTILLA_DIST_DIR` points tests at another copy
 * of `dist` (e.g. a snapshot, while others rebuild the workspace; it needs node_modules above it).
 */
export function serviceEntry(name: ServiceName): string {
  const dist = process.env['FLOTILLA_DIST_DIR'] ?? join(findRepoRoot(), 'dist');
  return join(dist, 'apps', name, 'apps', name, 'src', 'main.js');
}
