import type { EventTypeRepository, ProjectRepository } from '@flotilla/db';
import { IngestError } from '../ingest-errors';
import { EventDataValidator } from './event-data-validator';

const PROJECT = '0190a4d2-0000-7000-8000-000000000001';

function validator(enabled: boolean) {
  const calls = { projects: 0, types: 0 };
  const projects = {
    findById: () => {
      calls.projects += 1;
      return Promise.resolve({ config: { schema_validation: { is_enabled: enabled } } });
    },
  } as unknown as ProjectRepository;
  const types = {
    withSchemas: () => {
      calls.types += 1;
      return Promise.resolve([
        {
          name: 'order.paid',
          jsonSchema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } },
        },
      ]);
    },
  } as unknown as EventTypeRepository;
  return { subject: new EventDataValidator(projects, types), calls };
}

describe('EventDataValidator', () => {
  it('refuses data that breaks its type schema, naming the path', async () => {
    const { subject } = validator(true);
    const error = await subject.check(PROJECT, 'order.paid', { id: 7 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect(error).toMatchObject({ code: 'invalid_data', field: 'data.id' });
  });

  it('accepts conforming data and types without a schema', async () => {
    const { subject } = validator(true);
    await expect(subject.check(PROJECT, 'order.paid', { id: 'o1' })).resolves.toBeUndefined();
    await expect(subject.check(PROJECT, 'other.type', 42)).resolves.toBeUndefined();
  });

  it('checks nothing and loads no schemas when the project has validation off', async () => {
    const { subject, calls } = validator(false);
    await subject.check(PROJECT, 'order.paid', { id: 7 });
    await subject.check(PROJECT, 'order.paid', { id: 7 });
    expect(calls).toEqual({ projects: 1, types: 0 });
  });

  it('loads a project once for concurrent events', async () => {
    const { subject, calls } = validator(true);
    await Promise.all(
      Array.from({ length: 20 }, () => subject.check(PROJECT, 'order.paid', { id: 'x' })),
    );
    expect(calls).toEqual({ projects: 1, types: 1 });
  });
});
