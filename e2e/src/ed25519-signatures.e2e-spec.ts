import { createPublicKey, verify } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  createEndpoint,
  createProject,
  projectPath,
  sendEvent,
  startTestStack,
  stopAll,
  ReceiverPool,
  type DemoProject,
  type ReceivedRequest,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface ShownEndpoint {
  uid: string;
  signature_algorithm: string;
  secrets: { value: string; expires_at: string | null }[];
}

/**
 * A receiver's check written from the Standard Webhooks spec alone (no Flotilla code): the raw
 * `whpk_` bytes as an Ed25519 JWK, a `v1a,<base64>` entry over `"<id>.<timestamp>.<body>"`.
 */
function verifiesV1a(publicKey: string, request: ReceivedRequest): boolean {
  const x = Buffer.from(publicKey.slice('whpk_'.length), 'base64').toString('base64url');
  const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  const id = String(request.headers['webhook-id']);
  const timestamp = String(request.headers['webhook-timestamp']);
  const content = Buffer.from(`${id}.${timestamp}.${request.body}`);
  return signatureEntries(request)
    .filter((entry) => entry.startsWith('v1a,'))
    .some((entry) => verify(null, content, key, Buffer.from(entry.slice(4), 'base64')));
}

function signatureEntries(request: ReceivedRequest): string[] {
  return String(request.headers['webhook-signature']).split(' ');
}

describe('ed25519 (Standard Webhooks v1a) endpoints', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  function getEndpoint(project: DemoProject, uid: string): Promise<ShownEndpoint> {
    return project.api.expect<ShownEndpoint>(200, 'GET', projectPath(project, `endpoints/${uid}`));
  }

  function expireSecret(
    project: DemoProject,
    uid: string,
    body: Record<string, unknown>,
  ): Promise<ShownEndpoint> {
    return project.api.expect<ShownEndpoint>(
      200,
      'PUT',
      projectPath(project, `endpoints/${uid}/expire_secret`),
      body,
    );
  }

  it('answers the whpk_ public key through the API, never the whsk_ key', async () => {
    const project = await createProject(stack.admin, 'ed25519-shown');
    const created = await createEndpoint(project, {
      name: 'asymmetric',
      url: 'http://127.0.0.1:9/hook',
      signature_algorithm: 'ed25519',
    });
    const shown = await getEndpoint(project, created.uid);
    expect(shown.signature_algorithm).toBe('ed25519');
    expect(shown.secrets.map((secret) => secret.value)).toEqual([
      expect.stringMatching(/^whpk_[A-Za-z0-9+/]{43}=$/),
    ]);
    expect(JSON.stringify(shown)).not.toContain('whsk_');
  });

  it('keeps HMAC the default', async () => {
    const project = await createProject(stack.admin, 'ed25519-default');
    const created = await createEndpoint(project, { name: 'hmac', url: 'http://127.0.0.1:9/h' });
    const shown = await getEndpoint(project, created.uid);
    expect(shown.signature_algorithm).toBe('hmac-sha256');
    expect(shown.secrets[0]!.value).toMatch(/^whsec_/);
  });

  it('signs a delivery v1a so the public key fetched through the API verifies it', async () => {
    const project = await createProject(stack.admin, 'ed25519-delivery');
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, {
      name: 'asymmetric',
      url: target.url,
      signature_algorithm: 'ed25519',
    });
    const publicKey = (await getEndpoint(project, endpoint.uid)).secrets[0]!.value;
    await sendEvent(project, endpoint.uid, { order: 1 });
    const [request] = await target.waitForRequests(1);
    expect(signatureEntries(request!)).toEqual([expect.stringMatching(/^v1a,/)]);
    expect(verifiesV1a(publicKey, request!)).toBe(true);
  });

  it('sends the old and new keys’ signatures during a rotation, each verifiable', async () => {
    const project = await createProject(stack.admin, 'ed25519-rotation');
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, {
      name: 'rotating',
      url: target.url,
      signature_algorithm: 'ed25519',
    });
    const oldKey = (await getEndpoint(project, endpoint.uid)).secrets[0]!.value;
    const rotated = await expireSecret(project, endpoint.uid, { expiration: 3600 });
    const newKey = rotated.secrets.find((secret) => secret.expires_at === null)!.value;
    expect(newKey).not.toBe(oldKey);
    await sendEvent(project, endpoint.uid, { rotated: true });
    const [request] = await target.waitForRequests(1);
    expect(signatureEntries(request!)).toHaveLength(2);
    expect(verifiesV1a(oldKey, request!)).toBe(true);
    expect(verifiesV1a(newKey, request!)).toBe(true);
  });

  it('sends v1 and v1a side by side while a rotation moves an HMAC endpoint to ed25519', async () => {
    const project = await createProject(stack.admin, 'ed25519-switch');
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, { name: 'moving', url: target.url });
    const hmacSecret = endpoint.secrets[0]!.value;
    const rotated = await expireSecret(project, endpoint.uid, {
      expiration: 3600,
      signature_algorithm: 'ed25519',
    });
    expect(rotated.signature_algorithm).toBe('ed25519');
    const publicKey = rotated.secrets.find((secret) => secret.expires_at === null)!.value;
    await sendEvent(project, endpoint.uid, { moving: true });
    const [request] = await target.waitForRequests(1);
    const headers = {
      'webhook-id': String(request!.headers['webhook-id']),
      'webhook-timestamp': String(request!.headers['webhook-timestamp']),
      'webhook-signature': String(request!.headers['webhook-signature']),
    };
    expect(new Webhook(hmacSecret).verify(request!.body, headers)).toEqual({ moving: true });
    expect(verifiesV1a(publicKey, request!)).toBe(true);
  });

  it('keeps the key when a PUT repeats the current algorithm', async () => {
    const project = await createProject(stack.admin, 'ed25519-put');
    const endpoint = await createEndpoint(project, {
      name: 'stable',
      url: 'http://127.0.0.1:9/hook',
      signature_algorithm: 'ed25519',
    });
    const before = (await getEndpoint(project, endpoint.uid)).secrets;
    const updated = await project.api.expect<ShownEndpoint>(
      202,
      'PUT',
      projectPath(project, `endpoints/${endpoint.uid}`),
      { name: 'renamed', signature_algorithm: 'ed25519' },
    );
    expect(updated.secrets).toEqual(before);
  });

  it('refuses ed25519 in a project that signs in Convoy’s format', async () => {
    const project = await createProject(stack.admin, 'ed25519-convoy', {
      signature: { format: 'convoy', versions: [{ hash: 'SHA256', encoding: 'hex' }] },
    });
    await project.api.expect(400, 'POST', projectPath(project, 'endpoints'), {
      name: 'asymmetric',
      url: 'http://127.0.0.1:9/hook',
      signature_algorithm: 'ed25519',
    });
  });

  it('refuses to switch a project to Convoy’s format while an endpoint signs with ed25519', async () => {
    const project = await createProject(stack.admin, 'ed25519-switch-format');
    await createEndpoint(project, {
      name: 'asymmetric',
      url: 'http://127.0.0.1:9/hook',
      signature_algorithm: 'ed25519',
    });
    await project.api.expect(409, 'PUT', `/api/v1/projects/${project.projectId}`, {
      config: { signature: { format: 'convoy', versions: [{ hash: 'SHA256', encoding: 'hex' }] } },
    });
  });
});
