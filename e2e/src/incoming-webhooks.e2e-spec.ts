import { createHmac } from 'node:crypto';
import { Readable } from 'node:stream';
import { Client } from 'pg';
import { request as httpRequest } from 'undici';
import {
  createEndpoint,
  createProject,
  createSource,
  createSubscription,
  eventually,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

/** The project's `max_payload_read_size`: small, so the oversized requests stay small too. */
const MAX_PAYLOAD = 4096;
const GITHUB_SECRET = 'gh-secret-Zoë';
const SHOPIFY_SECRET = 'shpss_0123456789';
const HEX_SECRET = 'generic-hex-secret';
const BASE64_SECRET = 'generic-base64-secret';
const PASSWORD = 'pa:ss-word';
const API_KEY = 'ak_live_42';

interface Sent {
  status: number;
  body: { status: boolean; message: string; data?: Record<string, unknown> };
}

interface HttpSource {
  uid: string;
  mask_id: string;
}

const hmac = (hash: 'sha256' | 'sha512', secret: string, body: string | Buffer) =>
  createHmac(hash, secret).update(body);

/**
 * Incoming webhooks: http sources with verifiers and provider presets, `POST /ingest/{maskID}`
 * (no API key), and delivery to the subscriptions of the source, driven as GitHub, Shopify and
 * other senders would.
 */
describe('incoming webhooks (http sources)', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  const sources: Record<
    'github' | 'shopify' | 'hex' | 'base64' | 'basic' | 'apiKey' | 'disabled',
    HttpSource
  > = {} as never;

  const ingest = async (
    maskId: string,
    body: string | Buffer | Readable,
    headers: Record<string, string> = {},
  ): Promise<Sent> => {
    const response = await httpRequest(`${stack.admin.baseUrl}/ingest/${maskId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: JSON.parse(text) as Sent['body'] };
  };

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'incoming webhooks', {
      max_payload_read_size: MAX_PAYLOAD,
    });
    const bodies = {
      github: { provider: 'github', verifier: { type: 'hmac', hmac: { secret: GITHUB_SECRET } } },
      shopify: { provider: 'shopify', verifier: { hmac: { secret: SHOPIFY_SECRET } } },
      hex: {
        verifier: {
          type: 'hmac',
          hmac: { header: 'X-Signature', hash: 'SHA256', encoding: 'hex', secret: HEX_SECRET },
          basic_auth: null,
          api_key: null,
        },
      },
      base64: {
        verifier: {
          type: 'hmac',
          hmac: { header: 'X-Sig', hash: 'SHA512', encoding: 'base64', secret: BASE64_SECRET },
        },
      },
      basic: {
        verifier: { type: 'basic_auth', basic_auth: { username: 'partner', password: PASSWORD } },
      },
      apiKey: {
        verifier: { type: 'api_key', api_key: { header_name: 'X-Api-Key', header_value: API_KEY } },
      },
      disabled: { verifier: { type: 'noop' }, is_disabled: true },
    } as const;
    for (const [name, body] of Object.entries(bodies)) {
      const source = (await createSource(project, {
        name,
        type: 'http',
        ...body,
      })) as unknown as HttpSource;
      sources[name as keyof typeof sources] = source;
      const endpoint = await createEndpoint(project, {
        name,
        url: `${receiver.url}?source=${name}`,
      });
      await createSubscription(project, {
        name: `from-${name}`,
        endpoint_id: endpoint.uid,
        source_id: source.uid,
        // Header filters see the request's headers: only Shopify's orders/create is delivered.
        ...(name === 'shopify'
          ? { filter_config: { filter: { headers: { 'x-shopify-topic': 'orders/create' } } } }
          : {}),
      });
    }
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  const deliveredTo = (name: string) =>
    receiver.requests.filter((request) => request.path.endsWith(`?source=${name}`));

  it('accepts a GitHub-signed request and delivers its exact bytes to the source’s subscriber', async () => {
    // Spacing, a float written 1.0 and integer-like keys: a re-encoding would change these bytes.
    const payload =
      '{"zen": "Keep it logically awesome.", "10": "ten", "hook_id": 1.0, "n": "Zoë"}';
    const sent = await ingest(sources.github.mask_id, payload, {
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
      'X-Hub-Signature-256': `sha256=${hmac('sha256', GITHUB_SECRET, Buffer.from(payload)).digest('hex')}`,
    });
    expect(sent).toMatchObject({
      status: 200,
      body: { status: true, data: { event_type: 'push' } },
    });

    const [delivered] = await receiver.waitForRequests(1);
    if (!delivered) throw new Error('not delivered');
    expect(delivered.path).toContain('?source=github');
    expect(delivered.body).toBe(payload);
    expect(delivered.headers['x-flotilla-event-type']).toBe('push');
    expect(delivered.headers['x-github-delivery']).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    // The sender's credential is not passed on.
    expect(delivered.headers['x-hub-signature-256']).toBeUndefined();

    const event = await project.api.expect<{ source_id: string; event_type: string }>(
      200,
      'GET',
      `/api/v1/projects/${project.projectId}/events/${String(sent.body.data?.['event_id'])}`,
    );
    expect(event).toMatchObject({ source_id: sources.github.uid, event_type: 'push' });
    // Only the GitHub source's subscriber got it.
    expect(receiver.requests).toHaveLength(1);
  });

  it('rejects tampered, wrongly signed and unsigned GitHub requests with 401', async () => {
    const payload = '{"action":"opened"}';
    const signature = `sha256=${hmac('sha256', GITHUB_SECRET, payload).digest('hex')}`;
    const tampered = await ingest(sources.github.mask_id, '{"action":"closed"}', {
      'X-Hub-Signature-256': signature,
    });
    expect(tampered.status).toBe(401);
    expect(tampered.body).toMatchObject({
      status: false,
      data: { field: 'X-Hub-Signature-256' },
    });
    expect(tampered.body.message).toContain('does not match');
    expect(JSON.stringify(tampered.body)).not.toContain(GITHUB_SECRET);

    const wrongSecret = `sha256=${hmac('sha256', 'not-the-secret', payload).digest('hex')}`;
    expect(
      (await ingest(sources.github.mask_id, payload, { 'X-Hub-Signature-256': wrongSecret }))
        .status,
    ).toBe(401);
    const unsigned = await ingest(sources.github.mask_id, payload);
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.message).toContain('missing');
  });

  it('refuses a body over the project’s max_payload_read_size with 413, declared or streamed', async () => {
    const big = `{"pad":"${'x'.repeat(MAX_PAYLOAD)}"}`;
    const signature = `sha256=${hmac('sha256', GITHUB_SECRET, big).digest('hex')}`;
    const declared = await ingest(sources.github.mask_id, big, {
      'X-Hub-Signature-256': signature,
    });
    expect(declared.status).toBe(413);
    expect(declared.body).toMatchObject({ status: false, data: { field: 'body' } });

    // Chunked, no Content-Length: refused once the bytes read pass the limit.
    const streamed = await ingest(
      sources.github.mask_id,
      Readable.from([Buffer.from(big.slice(0, 3000)), Buffer.from(big.slice(3000))]),
      { 'X-Hub-Signature-256': signature },
    );
    expect(streamed.status).toBe(413);

    // Far over the limit: answered without reading the upload.
    const huge = Buffer.alloc(8 * 1024 * 1024, 0x20);
    expect((await ingest(sources.github.mask_id, huge)).status).toBe(413);
  });

  it('verifies Shopify’s base64 signature and filters on its topic header', async () => {
    const send = (topic: string, payload: string, secret = SHOPIFY_SECRET) =>
      ingest(sources.shopify.mask_id, payload, {
        'X-Shopify-Topic': topic,
        'X-Shopify-Hmac-Sha256': hmac('sha256', secret, payload).digest('base64'),
      });
    expect((await send('orders/create', '{"id":1}')).body).toMatchObject({
      status: true,
      data: { event_type: 'orders/create' },
    });
    expect((await send('orders/paid', '{"id":2}')).status).toBe(200);
    expect((await send('orders/create', '{"id":3}', 'wrong')).status).toBe(401);

    await eventually(async () => {
      expect(deliveredTo('shopify').map((request) => request.body)).toEqual(['{"id":1}']);
      await Promise.resolve();
    });
  });

  it('verifies generic hmac signatures in hex and base64', async () => {
    const payload = '{"kind":"generic"}';
    const hex = hmac('sha256', HEX_SECRET, payload).digest('hex');
    expect((await ingest(sources.hex.mask_id, payload, { 'X-Signature': hex })).status).toBe(200);
    expect(
      (await ingest(sources.hex.mask_id, payload, { 'X-Signature': hex.replace(/^./, '0') }))
        .status,
    ).toBe(401);
    const malformed = await ingest(sources.hex.mask_id, payload, { 'X-Signature': 'zz' });
    expect(malformed).toMatchObject({ status: 401, body: { data: { field: 'X-Signature' } } });

    const b64 = hmac('sha512', BASE64_SECRET, payload).digest('base64');
    expect((await ingest(sources.base64.mask_id, payload, { 'X-Sig': b64 })).status).toBe(200);
    const wrong = hmac('sha512', HEX_SECRET, payload).digest('base64');
    expect((await ingest(sources.base64.mask_id, payload, { 'X-Sig': wrong })).status).toBe(401);
  });

  it('checks basic auth and API keys', async () => {
    const basic = (credentials: string) => ({
      Authorization: `Basic ${Buffer.from(credentials).toString('base64')}`,
    });
    expect((await ingest(sources.basic.mask_id, '{}', basic(`partner:${PASSWORD}`))).status).toBe(
      200,
    );
    const wrong = await ingest(sources.basic.mask_id, '{}', basic('partner:nope'));
    expect(wrong).toMatchObject({ status: 401, body: { data: { field: 'Authorization' } } });
    expect((await ingest(sources.basic.mask_id, '{}')).status).toBe(401);

    expect((await ingest(sources.apiKey.mask_id, '{}', { 'X-Api-Key': API_KEY })).status).toBe(200);
    const badKey = await ingest(sources.apiKey.mask_id, '{}', { 'X-Api-Key': `${API_KEY}x` });
    expect(badKey).toMatchObject({ status: 401, body: { data: { field: 'X-Api-Key' } } });

    // A non-JSON body is accepted and delivered as a JSON string of its text.
    expect(
      (
        await ingest(sources.apiKey.mask_id, 'payload=hello', {
          'X-Api-Key': API_KEY,
          'content-type': 'application/x-www-form-urlencoded',
        })
      ).status,
    ).toBe(200);
    await eventually(async () => {
      expect(deliveredTo('apiKey').map((request) => request.body)).toEqual(
        expect.arrayContaining(['{}', '"payload=hello"']),
      );
      await Promise.resolve();
    });
  });

  it('answers 404 for an unknown, disabled or deleted source, and a sender needs no API key', async () => {
    const unknown = await ingest('0123456789abcdef0123456789abcdef', '{}');
    expect(unknown).toMatchObject({ status: 404, body: { status: false } });
    expect((await ingest(sources.disabled.mask_id, '{}')).status).toBe(404);

    // Enabled, the same noop source takes requests.
    await project.api.expect(
      202,
      'PUT',
      `/api/v1/projects/${project.projectId}/sources/${sources.disabled.uid}`,
      { is_disabled: false },
    );
    expect((await ingest(sources.disabled.mask_id, '{}')).status).toBe(200);

    // Deleted, a source takes nothing more.
    await project.api.expect(
      200,
      'DELETE',
      `/api/v1/projects/${project.projectId}/sources/${sources.disabled.uid}`,
    );
    expect((await ingest(sources.disabled.mask_id, '{}')).status).toBe(404);
  });

  it('rotates a verifier secret on update and never shows secrets', async () => {
    const path = `/api/v1/projects/${project.projectId}/sources`;
    await project.api.expect(202, 'PUT', `${path}/${sources.hex.uid}`, {
      verifier: { type: 'hmac', hmac: { secret: 'rotated-secret' } },
    });
    const payload = '{"rotated":true}';
    const old = hmac('sha256', HEX_SECRET, payload).digest('hex');
    const rotated = hmac('sha256', 'rotated-secret', payload).digest('hex');
    expect((await ingest(sources.hex.mask_id, payload, { 'X-Signature': old })).status).toBe(401);
    expect((await ingest(sources.hex.mask_id, payload, { 'X-Signature': rotated })).status).toBe(
      200,
    );

    const listed = await project.api.get<{ content: Record<string, unknown>[] }>(path);
    expect(listed.status).toBe(200);
    const text = JSON.stringify(listed.body);
    for (const secret of [
      GITHUB_SECRET,
      SHOPIFY_SECRET,
      BASE64_SECRET,
      'rotated-secret',
      PASSWORD,
      API_KEY,
    ]) {
      expect(text).not.toContain(secret);
    }
    const github = listed.body.data.content.find((source) => source['uid'] === sources.github.uid);
    expect(github).toMatchObject({
      type: 'http',
      provider: 'github',
      mask_id: sources.github.mask_id,
      verifier: {
        type: 'hmac',
        hmac: {
          header: 'X-Hub-Signature-256',
          hash: 'SHA256',
          encoding: 'hex',
          secret: '********',
        },
      },
    });
    // At rest too: the secrets are only in the encrypted column.
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const rows = await db.query<{ row: string }>(
        `SELECT (s.*)::text AS row FROM sources s WHERE type = 'http'`,
      );
      expect(rows.rows).toHaveLength(7);
      const stored = rows.rows.map((row) => row.row).join('\n');
      for (const secret of [GITHUB_SECRET, 'rotated-secret', PASSWORD, API_KEY]) {
        expect(stored).not.toContain(secret);
      }
    } finally {
      await db.end();
    }
    const basic = listed.body.data.content.find((source) => source['uid'] === sources.basic.uid);
    expect(basic).toMatchObject({
      verifier: { type: 'basic_auth', basic_auth: { username: 'partner', password: '********' } },
    });
  });

  it('stores a replayed GitHub delivery as a duplicate and delivers it once', async () => {
    const replay = (await createSource(project, {
      name: 'replay',
      type: 'http',
      provider: 'github',
      verifier: { type: 'hmac', hmac: { secret: GITHUB_SECRET } },
      idempotency_keys: ['request.header.X-GitHub-Delivery'],
    })) as unknown as HttpSource & { idempotency_keys: string[] };
    expect(replay.idempotency_keys).toEqual(['request.header.X-GitHub-Delivery']);
    const endpoint = await createEndpoint(project, {
      name: 'replay',
      url: `${receiver.url}?source=replay`,
    });
    await createSubscription(project, {
      name: 'from-replay',
      endpoint_id: endpoint.uid,
      source_id: replay.uid,
    });
    const payload = '{"action":"closed"}';
    const send = (delivery: string) =>
      ingest(replay.mask_id, payload, {
        'X-GitHub-Event': 'pull_request',
        'X-GitHub-Delivery': delivery,
        'X-Hub-Signature-256': `sha256=${hmac('sha256', GITHUB_SECRET, payload).digest('hex')}`,
      });

    const first = await send('d-1');
    const replayed = await send('d-1');
    const next = await send('d-2');
    // The sender cannot tell a replay apart: each request is answered as received.
    expect([first.status, replayed.status, next.status]).toEqual([200, 200, 200]);

    const events = `/api/v1/projects/${project.projectId}/events`;
    const stored = await Promise.all(
      [first, replayed].map((sent) =>
        eventually(() =>
          project.api.expect<{ is_duplicate_event: boolean }>(
            200,
            'GET',
            `${events}/${String(sent.body.data?.['event_id'])}`,
          ),
        ),
      ),
    );
    expect(stored.map((event) => event.is_duplicate_event)).toEqual([false, true]);
    // Both are routed by now: the duplicate got no delivery, d-1 and d-2 one each.
    await eventually(async () => {
      expect(deliveredTo('replay')).toHaveLength(2);
      await Promise.resolve();
    });
    expect(deliveredTo('replay').map((request) => request.headers['x-github-delivery'])).toEqual(
      expect.arrayContaining(['d-1', 'd-2']),
    );
  });

  it('refuses an idempotency key location it cannot read, naming the entry', async () => {
    const response = await project.api.post(`/api/v1/projects/${project.projectId}/sources`, {
      name: 'bad-keys',
      type: 'http',
      verifier: { type: 'noop' },
      idempotency_keys: ['request.header.X-Id', 'request.cookie.id'],
    });
    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('idempotency_keys.1');
  });
});
