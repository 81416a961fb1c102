// Builds the services and the benchmarks, then runs one: `node tools/bench/run.mjs [NAME] [args]`
// runs tools/bench/src/NAME.bench.ts (default report) with the given arguments (see that file).
// Benchmarks: report (the published one: Flotilla against baselines, under tools/bench/results/),
// end-to-end, ingest-only, broker-ingester, event-log (100,000-event list pages with filters),
// dashboard (the web pages' render times in Chromium with 10,000 events).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensurePrerequisites, root, run } from '../dev/prerequisites.mjs';

ensurePrerequisites({ quiet: true });
run(path.join(root, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', '--outputStyle=static'], {
  stdio: 'ignore',
});
run(path.join(root, 'node_modules/.bin/tsc'), ['-p', 'tools/tsconfig.json']);
run(path.join(root, 'node_modules/.bin/tsc-alias'), ['-p', 'tools/tsconfig.json']);
const args = process.argv.slice(2);
const name = args[0] && !args[0].startsWith('--') ? args.shift() : 'report';
const result = spawnSync(
  process.execPath,
  [path.join(root, `dist/tools/tools/bench/src/${name}.bench.js`), ...args],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(result.status ?? 1);
