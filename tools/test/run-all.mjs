// `npm test`: every check CI runs, in order, on this machine. Lint (type-checked, zero warnings),
// typecheck, format (Prettier), build, the Helm chart, the migration linter, then the three test tiers with jest: unit and integration in parallel workers,
// end-to-end one file at a time (each file starts its own database, Kafka mock and services).
// Ends with one line `N passed, N failed` (checks count as one test each).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ensurePrerequisites, root } from '../dev/prerequisites.mjs';

ensurePrerequisites();
const bin = (name) => path.join(root, 'node_modules/.bin', name);
const only = process.argv.slice(2);
let passed = 0;
let failed = 0;
const failures = [];
const timings = [];

function step(name, command, args) {
  if (only.length && !only.includes(name)) return true;
  process.stdout.write(`\n=== ${name}: ${[path.basename(command), ...args].join(' ')}\n`);
  const started = Date.now();
  const result = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    // Type-aware lint of the whole workspace (services and the dashboard's DOM program) outgrows
    // node's default heap on this machine kind.
    env: {
      ...process.env,
      FORCE_COLOR: '0',
      NODE_OPTIONS: [process.env.NODE_OPTIONS, '--max-old-space-size=8192']
        .filter(Boolean)
        .join(' '),
    },
  });
  timings.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return result.status === 0;
}

function check(name, command, args) {
  if (step(name, command, args)) {
    if (!only.length || only.includes(name)) passed += 1;
  } else {
    failed += 1;
    failures.push(name);
  }
}

function jest(name, args) {
  if (only.length && !only.includes(name)) return;
  mkdirSync(path.join(root, 'tmp'), { recursive: true });
  const report = path.join(root, 'tmp', `jest-${name}.json`);
  rmSync(report, { force: true });
  const ok = step(name, bin('jest'), [...args, '--json', `--outputFile=${report}`]);
  if (existsSync(report)) {
    const result = JSON.parse(readFileSync(report, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    // A suite that failed to run (syntax error, failing hook) has no failed tests: count it.
    const broken = result.testResults.filter(
      (suite) =>
        suite.status === 'failed' &&
        suite.assertionResults.every((test) => test.status !== 'failed'),
    );
    failed += broken.length;
    for (const suite of result.testResults.filter((suite) => suite.status === 'failed'))
      failures.push(path.relative(root, suite.name));
  } else if (!ok) {
    failed += 1;
    failures.push(name);
  }
}

// The module-boundary lint rule reads nx's project graph; computing it first makes the rule run.
spawnSync(bin('nx'), ['show', 'projects'], { cwd: root, stdio: 'ignore' });
check('lint', bin('eslint'), ['--max-warnings', '0', '.']);
check('typecheck', bin('tsc'), ['-p', 'tsconfig.json']);
// The dashboard is browser code (DOM types, JSX, bundler resolution): its own tsconfig.
check('typecheck-dashboard', bin('tsc'), ['-p', 'apps/dashboard/tsconfig.json']);
check('format', bin('prettier'), [
  '--check',
  '--log-level',
  'warn',
  '**/*.{ts,tsx,mjs,js,json,css}',
]);
check('build', bin('nx'), ['run-many', '-t', 'build', '--outputStyle=static']);
// helm lint, helm template validated against the Kubernetes schemas, values.schema.json (seconds).
check('chart', process.execPath, [path.join(root, 'tools/helm/check-chart.mjs')]);
// squawk over the SQL migrations: no write-blocking index builds or rewrites under lock.
check('migrations', process.execPath, [path.join(root, 'tools/db/lint-migrations.mjs')]);
jest('unit-integration', ['--selectProjects', 'unit', 'integration', '--maxWorkers=2']);
// --forceExit: a stray keep-alive socket in a test must not hang CI after the results are in.
jest('e2e', ['--selectProjects', 'e2e', '--runInBand', '--forceExit']);

process.stdout.write(`\ntimings: ${timings.join(', ')}\n`);
if (failures.length) process.stdout.write(`failed: ${failures.join(', ')}\n`);
process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
