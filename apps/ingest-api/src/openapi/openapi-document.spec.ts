import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { collectRoutes, moduleControllers } from '@flotilla/openapi';
import type { IngestApiEnv } from '@flotilla/contracts';
import type { Logger } from '@flotilla/observability';
import { IngestApiModule } from '../ingest-api.module';
import { generateIngestApiOpenApi, openApiJson } from './generate-document';
import { isApiPath } from './ingest-api.openapi';

const root = path.resolve(__dirname, '../../../..');
const REGENERATE = 'regenerate with `npm run openapi` and commit the result';

interface Operation {
  operationId: string;
  requestBody?: unknown;
}

describe('the OpenAPI document', () => {
  const document = generateIngestApiOpenApi();
  const text = openApiJson(document);
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'flotilla-openapi-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is committed in docs/openapi.json exactly as the code generates it', () => {
    const committed = readFileSync(path.join(root, 'docs/openapi.json'), 'utf8');
    if (committed !== text) throw new Error(`docs/openapi.json is out of date: ${REGENERATE}`);
  });

  it('has an operation for every route the controllers declare, with the body schema the route parses', () => {
    const definition = IngestApiModule.forRoot({} as IngestApiEnv, {} as Logger);
    const routes = collectRoutes(moduleControllers(definition)).filter((route) =>
      isApiPath(route.path),
    );
    const paths = document['paths'] as Record<string, Record<string, Operation>>;
    for (const route of routes) {
      const operation = paths[route.path]?.[route.method];
      expect(operation).toBeDefined();
      expect(operation?.requestBody !== undefined).toBe(route.body !== undefined);
    }
    const count = Object.values(paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
    expect(count).toBe(routes.length);
    expect(paths['/api/v1/projects/{projectID}/events']?.['post']?.requestBody).toEqual({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateEventBody' } } },
    });
  });

  it('passes an independent OpenAPI linter (Redocly CLI, recommended rules)', () => {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, text);
    const result = spawnSync(
      path.join(root, 'node_modules/.bin/redocly'),
      ['lint', file, '--config', path.join(root, 'redocly.yaml'), '--format', 'stylish'],
      {
        cwd: root,
        encoding: 'utf8',
        // Nothing leaves the machine: no usage telemetry, no update check.
        env: {
          ...process.env,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
          NO_COLOR: '1',
        },
      },
    );
    if (result.status !== 0)
      throw new Error(`redocly lint failed:\n${result.stdout}\n${result.stderr}`);
    expect(result.stdout + result.stderr).not.toMatch(/You have \d+ warnings?/);
  }, 120_000);

  it('is what the typed client in libs/api-client was generated from', () => {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, text);
    const out = path.join(dir, 'flotilla-api.ts');
    const result = spawnSync(
      path.join(root, 'node_modules/.bin/openapi-typescript'),
      [file, '--output', out, '--default-non-nullable', 'false'],
      {
        cwd: root,
        encoding: 'utf8',
      },
    );
    if (result.status !== 0)
      throw new Error(`openapi-typescript failed:\n${result.stdout}\n${result.stderr}`);
    const committed = readFileSync(
      path.join(root, 'libs/api-client/src/generated/flotilla-api.ts'),
      'utf8',
    );
    if (committed !== readFileSync(out, 'utf8')) {
      throw new Error(
        `libs/api-client/src/generated/flotilla-api.ts is out of date: ${REGENERATE}`,
      );
    }
  }, 120_000);
});
