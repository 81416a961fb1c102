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
      MAX_ENDPOINTS_PER_PROJECT: '3',
    });
  });

  afterAll(async () => {
    await stopAll(stack);
  });

  it('refuses an endpoint beyond MAX_ENDPOINTS_PER_PROJECT with a 400 naming the limit', async () => {
    const project = await createProject(stack.admin, 'endpoint-cap');
    const path = `/api/v1/projects/${project.projectId}/endpoints`;
    for (let n = 0; n < 3; n += 1) {
      await project.api.expect(201, 'POST', path, {
        name: `e${String(n)}`,
        url: 'https://example.com/hook',
      });
    }
    const refused = await project.api.post(path, {
      name: 'one too many',
      url: 'https://example.com/hook',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.message).toMatch(/MAX_ENDPOINTS_PER_PROJECT|3 endpoints/);
    expect(refused.body.data).toMatchObject({ field: 'endpoints' });
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
