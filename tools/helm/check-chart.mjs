// Chart checks for `npm test` (a few seconds, no cluster): helm lint and helm template with the
// default values plus each example in deploy/helm/flotilla/examples/, every rendered manifest
// validated against the Kubernetes schemas (kubernetes-models' validators, generated from the
// Kubernetes OpenAPI spec and the Prometheus Operator and Gateway API CRDs), values.schema.json
// against values.yaml and each example (and refusing a wrong type), and two renders of the same
// values giving identical Secrets. Prints one line per check; exits 1 if any failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { helmBinary } from './helm.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const chart = path.join(root, 'deploy', 'helm', 'flotilla');
const examplesDir = path.join(chart, 'examples');
const examples = readdirSync(examplesDir)
  .filter((name) => name.endsWith('.yaml'))
  .sort()
  .map((name) => path.join(examplesDir, name));

// Helm keeps its caches and config here, not in the user's home.
const helmHome = mkdtempSync(path.join(tmpdir(), 'flotilla-helm-'));
const helmEnv = {
  ...process.env,
  HELM_CACHE_HOME: path.join(helmHome, 'cache'),
  HELM_CONFIG_HOME: path.join(helmHome, 'config'),
  HELM_DATA_HOME: path.join(helmHome, 'data'),
};
const helm = helmBinary();

function runHelm(args) {
  const result = spawnSync(helm, args, { encoding: 'utf8', env: helmEnv, maxBuffer: 64 << 20 });
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

function render(valuesFiles, extraArgs = []) {
  return runHelm([
    'template',
    'flotilla',
    chart,
    '--namespace',
    'flotilla',
    ...valuesFiles.flatMap((file) => ['-f', file]),
    ...extraArgs,
  ]);
}

const results = [];
function check(name, problems) {
  results.push({ name, problems });
  process.stdout.write(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}\n`);
  for (const problem of problems) process.stdout.write(`       ${problem}\n`);
}

/** The model class that validates a manifest's apiVersion/kind, from the packages that ship one. */
const MODEL_PACKAGES = {
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
};
async function modelFor(apiVersion, kind) {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const pkg = MODEL_PACKAGES[group] ?? 'kubernetes-models';
  try {
    return (await import(`${pkg}/${apiVersion}/${kind}`))[kind];
  } catch {
    return undefined;
  }
}

async function validateManifests(yamlText) {
  const problems = [];
  const manifests = [];
  for (const document of parseAllDocuments(yamlText)) {
    if (document.errors.length > 0) {
      problems.push(`YAML: ${document.errors.map((error) => error.message).join('; ')}`);
      continue;
    }
    const manifest = document.toJS();
    if (manifest === null) continue;
    manifests.push(manifest);
    const name = `${manifest.kind ?? '?'}/${manifest.metadata?.name ?? '?'}`;
    const Model = await modelFor(String(manifest.apiVersion), String(manifest.kind));
    if (!Model) {
      problems.push(`${name}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
      continue;
    }
    try {
      new Model(manifest).validate();
    } catch (error) {
      problems.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (manifests.length === 0) problems.push('rendered no manifests');
  return { problems, manifests };
}

const label = (file) => path.relative(root, file);
// The chart's defaults plus only what an install must give (brokers, database, secrets).
const minimal = path.join(examplesDir, 'minimal.yaml');

// values.schema.json: the defaults and every example are valid, a wrong type is refused.
const ajv = new Ajv({
  allErrors: true,
  strict: true,
  allowUnionTypes: true,
  strictRequired: false,
});
const validateValues = ajv.compile(
  JSON.parse(readFileSync(path.join(chart, 'values.schema.json'), 'utf8')),
);
for (const file of [path.join(chart, 'values.yaml'), ...examples]) {
  const valid = validateValues(parseYaml(readFileSync(file, 'utf8')) ?? {});
  check(
    `values.schema.json accepts ${label(file)}`,
    valid ? [] : validateValues.errors.map((error) => `${error.instancePath} ${error.message}`),
  );
}
{
  const wrong = render([minimal], ['--set', 'services.dispatcher.replicas=two']);
  check(
    'values.schema.json refuses a wrong type (services.dispatcher.replicas=two)',
    !wrong.ok && wrong.stderr.includes('/services/dispatcher/replicas')
      ? []
      : [`helm template did not refuse it: ${wrong.stderr.trim() || 'it rendered'}`],
  );
}

// helm lint and Kubernetes schema validation of everything rendered, for each example.
for (const file of examples) {
  const lint = runHelm(['lint', '--strict', chart, '-f', file]);
  check(`helm lint --strict ${label(file)}`, lint.ok ? [] : [lint.stdout + lint.stderr]);
  const rendered = render([file]);
  if (!rendered.ok) {
    check(`helm template ${label(file)}`, [rendered.stderr.trim()]);
    continue;
  }
  const { problems, manifests } = await validateManifests(rendered.stdout);
  check(`${manifests.length} manifests of ${label(file)} match the Kubernetes schemas`, problems);
}
{
  // `helm test`'s pod is rendered only by install; template shows it with the hooks.
  const rendered = render([path.join(examplesDir, 'production.yaml')]);
  const kinds = new Set(
    parseAllDocuments(rendered.stdout)
      .map((document) => document.toJS())
      .filter(Boolean)
      .map((manifest) => manifest.kind),
  );
  const expected = [
    'Ingress',
    'HTTPRoute',
    'ServiceMonitor',
    'PrometheusRule',
    'NetworkPolicy',
    'Pod',
  ];
  check(
    'the production example renders every optional resource',
    expected.filter((kind) => !kinds.has(kind)).map((kind) => `no ${kind}`),
  );
  const dashboards = parseAllDocuments(rendered.stdout)
    .map((document) => document.toJS())
    .filter(
      (manifest) => manifest?.kind === 'ConfigMap' && manifest.metadata.labels?.grafana_dashboard,
    );
  const problems = [];
  if (dashboards.length !== 1) problems.push(`${dashboards.length} dashboard ConfigMaps`);
  for (const configMap of dashboards) {
    try {
      const dashboard = JSON.parse(configMap.data['flotilla.json']);
      if (!(dashboard.panels?.length > 0)) problems.push('the dashboard has no panels');
    } catch (error) {
      problems.push(`the dashboard JSON does not parse: ${error.message}`);
    }
  }
  check('the production example renders the Grafana dashboard ConfigMap (valid JSON)', problems);
}

// GitOps: the same values render the same Secrets; any secret value changes the pods' checksum.
{
  const secrets = (text) =>
    parseAllDocuments(text)
      .map((document) => document.toJS())
      .filter((manifest) => manifest?.kind === 'Secret');
  const checksums = (text) =>
    parseAllDocuments(text)
      .map((document) => document.toJS())
      .filter((manifest) => manifest?.kind === 'Deployment')
      .map((manifest) => manifest.spec.template.metadata.annotations['checksum/secret']);
  const first = render([minimal]);
  const second = render([minimal]);
  const firstSecrets = secrets(first.stdout);
  check(
    'two renders of the same values give identical Secrets',
    firstSecrets.length > 0 &&
      JSON.stringify(firstSecrets) === JSON.stringify(secrets(second.stdout))
      ? []
      : ['the Secrets differ (or none was rendered)'],
  );
  const rotated = render(
    [minimal],
    ['--set', 'secrets.encryptionKey=' + Buffer.alloc(32, 7).toString('base64')],
  );
  const before = checksums(first.stdout);
  const after = checksums(rotated.stdout);
  check(
    "a changed encryption key changes every Deployment's checksum/secret",
    before.length > 0 && before.every((value, i) => value !== after[i])
      ? []
      : ['checksum/secret did not change'],
  );
}

rmSync(helmHome, { recursive: true, force: true });
const failed = results.filter((result) => result.problems.length > 0).length;
process.stdout.write(`chart: ${results.length - failed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
