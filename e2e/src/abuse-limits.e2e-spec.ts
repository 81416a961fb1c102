import { createProject, startTestStack, stopAll, type TestStack } from '@flotilla/testing';

jest.setTimeout(120_000);

/**
 * Limits that keep one client or tenant from loading everyone's database: failed API-key
 * authentications per client address, and endpoints per project.
 */
describe('abuse limits', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api'], {
      API_AUTH_FAILURES_PER_MINUTE: '5',
    });
  });

  afterAll(async () => {
    await stopAll(stack);
  });

  // Last: it leaves this address blocked for unknown keys for a minute.
  it('answers 429 with Retry-After once a client address failed authentication too often; a key that worked before still does', async () => {
    const project = await createProject(stack.admin, 'auth-failures');
    const path = `/api/v1/projects/${project.projectId}/endpoints`;
    expect((await project.api.get(path)).status).toBe(200);
    // Guessed keys: well formed, unknown prefixes.
    const guess = (n: number) =>
      stack.admin.withToken(`FL.${n.toString(16).padStart(16, '0')}.${'a'.repeat(43)}`);
    const statuses: number[] = [];
    for (let n = 0; n < 7; n += 1) statuses.push((await guess(n).get(path)).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    const limited = await guess(99).get(path);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited.body.data).toMatchObject({ field: 'Authorization' });
    expect((await project.api.get(path)).status).toBe(200);
  });
});
