import { randomBytes } from 'node:crypto';
import {
  eventually,
  FlotillaApi,
  startTestStack,
  stopAll,
  type ApiResponse,
  type TestStack,
} from '@flotilla/testing';
import { createTenant, type Tenant } from './support/tenants';

jest.setTimeout(120_000);

interface KeyView {
  uid: string;
  name: string;
  prefix: string;
  status: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  key?: string;
}

const UNKNOWN_PROJECT = '0190a4d2-0000-7000-8000-000000000000';

/**
 * Who may do what: the admin token for instance operations, key lifecycle (shown once, listed
 * without secret, revoked or expired → 401) and the per-key rate limit (429 with Retry-After).
 * Isolation between projects on every route is tenant-isolation.e2e-spec.ts.
 */
describe('auth and tenancy', () => {
  let stack: TestStack;
  let a: Tenant;
  let b: Tenant;
  let tenants: Tenant[] = [];

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    tenants = await Promise.all([createTenant(stack, 'tenant-a'), createTenant(stack, 'tenant-b')]);
    [a, b] = tenants as [Tenant, Tenant];
  });

  afterAll(async () => {
    await stopAll(...tenants.map((tenant) => tenant.receiver), stack);
  });

  const path = (of: Tenant, rest = ''): string => `/api/v1/projects/${of.project.projectId}${rest}`;

  it('keeps instance operations to the admin token', async () => {
    // Project keys on the admin routes: tenant-isolation.e2e-spec.ts.
    const wrongAdmin = stack.admin.withToken(`admin-${randomBytes(16).toString('hex')}`);
    expect((await wrongAdmin.get('/api/v1/projects')).status).toBe(401);
    // The admin token reaches every project.
    expect((await stack.admin.get(path(b, `/endpoints/${b.endpointId}`))).status).toBe(200);
    expect((await stack.admin.get(`/api/v1/projects/${UNKNOWN_PROJECT}`)).status).toBe(404);
  });

  it('answers 401 to a missing, malformed or wrong Authorization header', async () => {
    const url = `${stack.service('ingest-api').url}${path(a, '/endpoints')}`;
    const secretOfA = a.project.apiKey.split('.')[2]!;
    const wrongSecret = a.project.apiKey.replace(
      secretOfA,
      secretOfA.endsWith('A') ? `${secretOfA.slice(0, -1)}B` : `${secretOfA.slice(0, -1)}A`,
    );
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      `Basic ${Buffer.from('user:pass').toString('base64')}`,
      `Token ${a.project.apiKey}`,
      'Bearer not-a-key',
      'Bearer FL.0123456789abcdef.short',
      `Bearer ${wrongSecret}`,
      `Bearer ${a.project.apiKey} extra`,
    ]) {
      const response = await fetch(url, {
        headers: header === undefined ? {} : { authorization: header },
      });
      const body = (await response.json()) as {
        status: boolean;
        message: string;
        data?: { field?: string };
      };
      expect({ header, status: response.status }).toEqual({ header, status: 401 });
      expect(body).toMatchObject({ status: false, data: { field: 'Authorization' } });
      expect(body.message).toMatch(/Authorization|API key/);
    }
  });

  it('manages keys: shown once, listed without secrets, usable, revocable, expiring, names unique', async () => {
    const keys = path(a, '/keys');
    const created = await a.project.api.expect<KeyView>(201, 'POST', keys, { name: 'ci' });
    expect(created.key).toMatch(/^FL\.[0-9a-f]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(created.key!.split('.')[1]).toBe(created.prefix);
    expect(created).toMatchObject({
      name: 'ci',
      status: 'active',
      expires_at: null,
      revoked_at: null,
    });
    const secret = created.key!.split('.')[2]!;

    // Never again: not in the list, not in the key's own view.
    const listed = await a.project.api.expect<{ content: KeyView[] }>(200, 'GET', keys);
    expect(listed.content.map((key) => key.name)).toEqual(
      expect.arrayContaining(['ci', `${a.marker} key`]),
    );
    const shown = await a.project.api.get<KeyView>(`${keys}/${created.uid}`);
    for (const response of [shown, await a.project.api.get(keys)]) {
      expect(JSON.stringify(response.body)).not.toContain(secret);
      expect(JSON.stringify(response.body)).not.toMatch(/"key"|key_hash|keyHash/);
    }
    expect(shown.body.data).toMatchObject({
      uid: created.uid,
      prefix: created.prefix,
      last_used_at: null,
    });

    // Usable at once, and its use is recorded.
    const ci = a.project.api.withToken(created.key!);
    expect((await ci.get(path(a, '/endpoints'))).status).toBe(200);
    expect((await ci.get(path(b, '/endpoints'))).status).toBe(403);
    await eventually(async () => {
      const view = await a.project.api.expect<KeyView>(200, 'GET', `${keys}/${created.uid}`);
      expect(view.last_used_at).not.toBeNull();
    });

    // A name is taken once per project (revoked keys keep theirs); another project may reuse it.
    const duplicate = await a.project.api.post(keys, { name: 'ci' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ status: false, data: { field: 'name' } });
    expect((await b.project.api.post(path(b, '/keys'), { name: 'ci' })).status).toBe(201);
    // The admin token manages any project's keys; a key needs no name.
    const unnamed = await stack.admin.expect<KeyView>(201, 'POST', keys, {});
    expect(unnamed.name).toBe(`key-${unnamed.prefix}`);

    // Bad expiries name their field.
    const past = await a.project.api.post(keys, {
      expires_at: new Date(Date.now() - 60_000).toISOString(),
    });
    expect([past.status, (past.body.data as { field?: string }).field]).toEqual([
      400,
      'expires_at',
    ]);
    const both = await a.project.api.post(keys, {
      expires_at: new Date(Date.now() + 60_000).toISOString(),
      expiration: 60,
    });
    expect([both.status, (both.body.data as { field?: string }).field]).toEqual([
      400,
      'expiration',
    ]);

    // Revoked: 401 at once, saying so; revoking again changes nothing; the key stays listed.
    const revoked = await a.project.api.expect<KeyView>(
      200,
      'PUT',
      `${keys}/${created.uid}/revoke`,
    );
    expect(revoked).toMatchObject({ status: 'revoked', revoked_at: expect.any(String) as unknown });
    const refused = await ci.get(path(a, '/endpoints'));
    expect(refused.status).toBe(401);
    expect(refused.body.message).toMatch(/revoked/);
    const again = await a.project.api.expect<KeyView>(200, 'PUT', `${keys}/${created.uid}/revoke`);
    expect(again.revoked_at).toBe(revoked.revoked_at);
    expect(
      (await a.project.api.expect<{ content: KeyView[] }>(200, 'GET', keys)).content.find(
        (key) => key.uid === created.uid,
      )?.status,
    ).toBe('revoked');

    // Expiring: works until then, 401 after, saying so.
    const brief = await a.project.api.expect<KeyView>(201, 'POST', keys, {
      name: 'brief',
      expiration: 2,
    });
    expect(Date.parse(brief.expires_at!) - Date.now()).toBeLessThanOrEqual(2000);
    const briefApi = a.project.api.withToken(brief.key!);
    expect((await briefApi.get(path(a))).status).toBe(200);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(brief.expires_at!) - Date.now()) + 100),
    );
    const expired = await briefApi.get(path(a));
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired/);
    const view = await a.project.api.expect<KeyView>(200, 'GET', `${keys}/${brief.uid}`);
    expect(view.status).toBe('expired');
  });

  it('limits each key with 429 and Retry-After; the admin token and incoming webhooks are not limited', async () => {
    // A replica of its own with a small limit: 1 request per second, bursts of 3.
    const limited = await stack.start('ingest-api', {
      API_RATE_LIMIT_PER_SECOND: '1',
      API_RATE_LIMIT_BURST: '3',
    });
    const keyApi = new FlotillaApi(limited.url, a.project.apiKey);
    const statuses: number[] = [];
    let throttled: ApiResponse | undefined;
    for (let i = 0; i < 5; i += 1) {
      const response = await keyApi.get(path(a, '/endpoints'));
      statuses.push(response.status);
      if (response.status === 429) throttled ??= response;
    }
    // Three at once, then refused (a token comes back per second; these requests take far less).
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(statuses.at(-1)).toBe(429);
    expect(throttled!.body).toMatchObject({
      status: false,
      message: expect.stringMatching(/rate limit/) as unknown,
    });
    const retryAfter = Number(throttled!.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);

    // Per key: another key of the same project has its own bucket; the admin token has none.
    const other = await stack.admin.expect<KeyView>(201, 'POST', path(a, '/keys'), {
      name: 'rate limit other',
    });
    expect((await new FlotillaApi(limited.url, other.key).get(path(a, '/endpoints'))).status).toBe(
      200,
    );
    const admin = new FlotillaApi(limited.url, stack.adminToken);
    for (let i = 0; i < 10; i += 1)
      expect((await admin.get(path(a, '/endpoints'))).status).toBe(200);

    // Incoming webhooks carry no key and are not limited by it.
    const source = await a.project.api.expect<{ mask_id: string }>(
      201,
      'POST',
      path(a, '/sources'),
      {
        name: 'incoming',
        type: 'http',
        verifier: { type: 'noop' },
      },
    );
    for (let i = 0; i < 8; i += 1) {
      const response = await fetch(`${limited.url}/ingest/${source.mask_id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: i }),
      });
      expect(response.status).not.toBe(429);
    }

    // After waiting as told, the key works again.
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    expect((await keyApi.get(path(a, '/endpoints'))).status).toBe(200);
  });
});
