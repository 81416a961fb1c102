import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configurationReference, configVariables } from './config-reference';

const root = path.resolve(__dirname, '../../../..');

describe('the configuration reference', () => {
  it('is committed in docs/configuration.md exactly as the schemas generate it', () => {
    const committed = readFileSync(path.join(root, 'docs/configuration.md'), 'utf8');
    if (committed !== configurationReference())
      throw new Error(
        'docs/configuration.md is out of date: regenerate with `npm run config-docs` and commit it',
      );
  });

  it('describes every variable', () => {
    const undescribed = configVariables()
      .filter((variable) => !variable.description)
      .map((variable) => variable.name);
    expect(undescribed).toEqual([]);
  });

  it('lists per-service defaults where they differ', () => {
    const port = configVariables().find((variable) => variable.name === 'PORT');
    expect(Object.fromEntries(port?.defaults ?? [])).toEqual({
      'ingest-api': '5005',
      dispatcher: '5006',
      scheduler: '5007',
      'pubsub-ingester': '5008',
      'sqs-ingester': '5009',
      'amqp-ingester': '5010',
    });
  });
});
