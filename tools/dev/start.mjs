// `npm start`: install what is missing, build, then hand over to the orchestrator (tools/dev/src/start.ts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ensurePrerequisites, root, run } from './prerequisites.mjs';

ensurePrerequisites();
process.stdout.write('[flotilla] building the services...\n');
run(path.join(root, 'node_modules/.bin/nx'), [
  'run-many',
  '-t',
  'build',
  '--outputStyle=static',
  '--skipNxCache=false',
]);
run(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tools/tsconfig.json']);
run(path.join(root, 'node_modules/.bin/tsc-alias'), ['-p', 'tools/tsconfig.json']);

const child = spawn(process.execPath, [path.join(root, 'dist/tools/tools/dev/src/start.js')], {
  cwd: root,
  stdio: 'inherit',
});
// Ctrl-C reaches the orchestrator too (same process group); wait for it to stop what it started.
process.on('SIGINT', () => undefined);
process.on('SIGTERM', () => child.kill('SIGTERM'));
child.on('exit', (code) => process.exit(code ?? 1));
