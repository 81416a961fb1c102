// Scaffolds project.json + tsconfig for a lib or app: `node tools/workspace/new-project.mjs lib db type:data-access`.
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
const [kind, name, tag] = process.argv.slice(2);
if (!['lib', 'app'].includes(kind) || !name || !tag) {
  console.error('usage: new-project.mjs lib|app NAME TAG');
  process.exit(2);
}
const root = `${kind === 'lib' ? 'libs' : 'apps'}/${name}`;
mkdirSync(`${root}/src`, { recursive: true });
const targets = {
  lint: { executor: 'nx:run-commands', options: { command: `eslint --max-warnings 0 ${root}` } },
  typecheck: { executor: 'nx:run-commands', options: { command: `tsc -p ${root}/tsconfig.json` } },
  test: {
    executor: 'nx:run-commands',
    options: { command: `jest --selectProjects unit --passWithNoTests -- ${root}/` },
  },
};
if (kind === 'app') {
  targets.build = {
    executor: 'nx:run-commands',
    outputs: [`{workspaceRoot}/dist/${root}`],
    options: {
      command: `tsc -p ${root}/tsconfig.app.json && tsc-alias -p ${root}/tsconfig.app.json`,
    },
  };
  targets.serve = {
    executor: 'nx:run-commands',
    dependsOn: ['build'],
    options: { command: `node dist/${root}/${root}/src/main.js` },
  };
}
const project = {
  name,
  $schema: '../../node_modules/nx/schemas/project-schema.json',
  sourceRoot: `${root}/src`,
  projectType: kind === 'lib' ? 'library' : 'application',
  tags: [tag],
  targets,
};
writeFileSync(`${root}/project.json`, JSON.stringify(project, null, 2) + '\n');
writeFileSync(
  `${root}/tsconfig.json`,
  JSON.stringify(
    {
      extends: '../../tsconfig.base.json',
      compilerOptions: { noEmit: true },
      include: ['src/**/*.ts'],
    },
    null,
    2,
  ) + '\n',
);
if (kind === 'app') {
  writeFileSync(
    `${root}/tsconfig.app.json`,
    JSON.stringify(
      {
        extends: '../../tsconfig.base.json',
        compilerOptions: { outDir: `../../dist/${root}`, noEmit: false, types: ['node'] },
        include: ['src/**/*.ts'],
        exclude: ['src/**/*.spec.ts', 'src/**/*.int-spec.ts'],
      },
      null,
      2,
    ) + '\n',
  );
}
if (kind === 'lib' && !existsSync(`${root}/src/index.ts`))
  writeFileSync(`${root}/src/index.ts`, 'export {};\n');
console.log(`created ${root}`);
