// Installs what a fresh machine lacks, for `npm start`, `npm test` and CI alike: npm packages
// (when node_modules is missing or older than the lockfile), Debian's librdkafka-dev, whose mock
// cluster is our local Kafka broker, and Debian's chromium, which the dashboard's browser tests
// drive. Plain Node, no dependencies: it runs before `npm ci`.
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function run(command, args, options = {}) {
  execFileSync(command, args, { cwd: root, stdio: 'inherit', ...options });
}

export function ensurePrerequisites({ quiet = false } = {}) {
  const say = (message) => quiet || process.stdout.write(`[flotilla] ${message}\n`);
  const missing = [
    ...(existsSync('/usr/include/librdkafka/rdkafka_mock.h')
      ? []
      : ['librdkafka-dev', 'build-essential']),
    ...(existsSync('/usr/bin/chromium') ? [] : ['chromium']),
  ];
  if (missing.length) {
    say(
      `installing ${missing.join(', ')} (the local Kafka broker is librdkafka's mock cluster; the dashboard tests drive chromium)...`,
    );
    const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
    const apt = (...args) =>
      run(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), ...args], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
    apt('update', '-qq');
    apt('install', '-y', '-qq', ...missing);
  }
  const marker = path.join(root, 'node_modules', '.package-lock.json');
  const lock = path.join(root, 'package-lock.json');
  if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
    say('installing npm packages (npm ci)...');
    run('npm', ['ci', '--no-audit', '--no-fund']);
  }
  if (!existsSync(path.join(root, 'libs/db/src/generated/prisma/client.ts'))) {
    say('generating the Prisma client...');
    run(process.execPath, ['tools/db/prisma-generate.mjs']);
  }
}
