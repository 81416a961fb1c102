import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ensurePostgresRunning } from '../infra/postgres';
import { buildKafkaMock, findRepoRoot, SERVICE_NAMES, serviceEntry } from '../infra/workspace';

/** Before integration and e2e tests: Postgres is up, the Kafka mock is built, services are built. */
export default async function globalSetup(): Promise<void> {
  await ensurePostgresRunning();
  await buildKafkaMock();
  if (SERVICE_NAMES.some((name) => !existsSync(serviceEntry(name)))) {
    const root = findRepoRoot();
    execFileSync(
      path.join(root, 'node_modules', '.bin', 'nx'),
      ['run-many', '-t', 'build', '--outputStyle=static'],
      {
        cwd: root,
        stdio: 'inherit',
      },
    );
  }
}
