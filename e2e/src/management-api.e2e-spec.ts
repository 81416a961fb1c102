import { Webhook } from 'standardwebhooks';
import { generateStandardSecret, verifyConvoy } from '@flotilla/signing';
import {
  createEndpoint,
  createProject,
  createSubscription,
  eventually,
  ReceiverPool,
  startTestStack,
  stopAll,
  type ApiResponse,
  type DemoProject,
  type ReceivedRequest,
  type TestStack,
  type WebhookReceiver,
  NO_RETRIES,
  UNKNOWN_ID,
  projectPath,
  sendEvent,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface Resource {
  uid: string;
  status: string;
  created_at: string;
  updated_at: string;
}
interface EndpointView extends Resource {
  name: string;
  url: string;
  http_timeout: number;
  owner_id: string;
  description: string;
  authentication: unknown;
}
interface SubscriptionView extends Resource {
  name: string;
  filter_config: { event_types: string[]; filter: { headers: unknown; body: unknown } };
}
interface DeliveryView {
  uid: string;
  status: string;
  description: string;
}
interface MetaPayload {
  uid: string;
  event_type: string;
  data: Record<string, unknown>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('management API: project, endpoint and subscription lifecycle, meta events', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler']);
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  function deliveriesOf(project: DemoProject, eventId: string): Promise<DeliveryView[]> {
    return project.api
      .expect<{ content: DeliveryView[] }>(
        200,
        'GET',
        projectPath(project, `eventdeliveries?eventId=${eventId}`),
      )
      .then((page) => page.content);
  }

  /** The event's single delivery once it matches. */
  function deliveryOf(
    project: DemoProject,
    eventId: string,
    match: Partial<DeliveryView>,
  ): Promise<DeliveryView> {
    return eventually(async () => {
      const deliveries = await deliveriesOf(project, eventId);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toMatchObject(match);
      return deliveries[0]!;
    }, 30_000);
  }

  /** Waits a little to show that nothing (more) arrives. */
  const quiet = (ms = 1500): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  function expectFieldError(response: ApiResponse, status: number, field: string): void {
    expect({
      status: response.status,
      field: (response.body.data as { field?: string } | undefined)?.field,
    }).toEqual({
      status,
      field,
    });
    expect(response.body.status).toBe(false);
    expect(response.body.message).toContain(field);
  }

  function expectNotFound(response: ApiResponse): void {
    expect(response.status).toBe(404);
    expect(response.body.status).toBe(false);
    expect(response.body.data).toBeUndefined();
  }

  /** An update's answer: Convoy answers every update, pause, activate and toggle 202 Accepted. */
  function expectResource(response: ApiResponse, message: string): void {
    expect(response.status).toBe(202);
    expect(response.body.status).toBe(true);
    expect(response.body.message).toBe(message);
    const data = response.body.data as Resource;
    expect(data.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(data.created_at).toMatch(ISO);
    expect(data.updated_at).toMatch(ISO);
  }

  function standardPayloads(requests: readonly ReceivedRequest[], secret: string): MetaPayload[] {
    return requests.map(
      (request) =>
        new Webhook(secret).verify(request.body, {
          'webhook-id': String(request.headers['webhook-id']),
          'webhook-timestamp': String(request.headers['webhook-timestamp']),
          'webhook-signature': String(request.headers['webhook-signature']),
        }) as MetaPayload,
    );
  }

  /** Resolves with the verified meta payloads once one of `type` about `uid` arrived. */
  function metaArrival(
    receiver: WebhookReceiver,
    secret: string,
    type: string,
    uid: string,
  ): Promise<MetaPayload> {
    return eventually(() => {
      const found = standardPayloads(receiver.requests, secret).find(
        (payload) => payload.event_type === type && payload.data['uid'] === uid,
      );
      expect(found).toBeDefined();
      return Promise.resolve(found!);
    }, 20_000);
  }

  describe('projects', () => {
    it('PUT updates the name and merges config; errors name the field; DELETE is admin-only and final', async () => {
      const project = await createProject(stack.admin, 'projects-put');
      const other = await createProject(stack.admin, 'projects-other');
      const target = await receivers.start();

      const updated = await project.api.request('PUT', `/api/v1/projects/${project.projectId}`, {
        name: 'renamed',
        config: {
          strategy: { duration: 5 },
          ratelimit: { count: 50, duration: 2 },
          disable_endpoint: true,
        },
      });
      expectResource(updated, 'Project updated successfully');
      const data = updated.body.data as {
        uid: string;
        name: string;
        config: Record<string, Record<string, unknown>>;
      };
      expect(data).toMatchObject({ uid: project.projectId, name: 'renamed' });
      // Only the given settings changed; the rest kept their values.
      expect(data.config['strategy']).toEqual({ type: 'linear', duration: 5, retry_count: 10 });
      expect(data.config['ratelimit']).toEqual({ count: 50, duration: 2 });
      expect(data.config['disable_endpoint']).toBe(true);
      expect(data.config['signature']).toMatchObject({ format: 'standard-webhooks' });
      const read = await project.api.expect<{ name: string }>(
        200,
        'GET',
        `/api/v1/projects/${project.projectId}`,
      );
      expect(read.name).toBe('renamed');

      const put = (body: unknown): Promise<ApiResponse> =>
        project.api.request('PUT', `/api/v1/projects/${project.projectId}`, body);
      expectFieldError(
        await put({ config: { strategy: { duration: 0 } } }),
        400,
        'config.strategy.duration',
      );
      expectFieldError(
        await put({ config: { strategy: { type: 'random' } } }),
        400,
        'config.strategy.type',
      );
      expectFieldError(await put({ name: '' }), 400, 'name');
      // The meta URL passes the egress (SSRF) policy when saved (no traffic is sent to it).
      expectFieldError(
        await put({
          config: { meta_event: { is_enabled: true, url: 'http://169.254.169.254/latest' } },
        }),
        400,
        'config.meta_event.url',
      );
      expectFieldError(
        await put({ config: { meta_event: { is_enabled: true, url: 'http://10.1.2.3/meta' } } }),
        400,
        'config.meta_event.url',
      );
      expectFieldError(
        await put({ config: { meta_event: { is_enabled: true } } }),
        400,
        'config.meta_event.url',
      );
      expectFieldError(
        await put({
          config: { meta_event: { url: target.url, event_type: ['endpoint.created', 'nope'] } },
        }),
        400,
        'config.meta_event.event_type.1',
      );
      expectFieldError(
        await put({ config: { ssrf: { allow_cidrs: ['not-a-cidr'] } } }),
        400,
        'config.ssrf.allow_cidrs',
      );
      expectFieldError(
        await stack.admin.request('POST', '/api/v1/projects', {
          name: 'bad-meta',
          config: { meta_event: { url: 'http://10.0.0.1/' } },
        }),
        400,
        'config.meta_event.url',
      );
      // Nothing of the refused updates was kept.
      const unchanged = await project.api.expect<{
        config: { meta_event: { is_enabled: boolean } };
      }>(200, 'GET', `/api/v1/projects/${project.projectId}`);
      expect(unchanged.config.meta_event.is_enabled).toBe(false);

      // Unknown project (admin token): 404. Another project's id with this key: refused, no data.
      expectNotFound(
        await stack.admin.request('PUT', `/api/v1/projects/${UNKNOWN_ID}`, { name: 'x' }),
      );
      const foreign = await project.api.request('PUT', `/api/v1/projects/${other.projectId}`, {
        name: 'stolen',
      });
      expect(foreign.status).toBe(403);
      expect(foreign.body.data).not.toHaveProperty('uid');
      expect(
        (
          await other.api.expect<{ name: string }>(
            200,
            'GET',
            `/api/v1/projects/${other.projectId}`,
          )
        ).name,
      ).toBe('projects-other');

      // DELETE: a project key may not; the admin token may; then 404 and its keys stop working.
      const endpoint = await createEndpoint(project, { name: 'ep', url: target.url });
      expect(
        (await project.api.request('DELETE', `/api/v1/projects/${project.projectId}`)).status,
      ).toBe(403);
      const deleted = await stack.admin.request('DELETE', `/api/v1/projects/${project.projectId}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({ status: true, message: 'Project deleted successfully' });
      expectNotFound(await stack.admin.request('GET', `/api/v1/projects/${project.projectId}`));
      expectNotFound(await stack.admin.request('DELETE', `/api/v1/projects/${project.projectId}`));
      expectNotFound(await stack.admin.request('DELETE', `/api/v1/projects/${UNKNOWN_ID}`));
      expect((await project.api.request('GET', projectPath(project, 'endpoints'))).status).toBe(
        401,
      );
      expect(
        (
          await project.api.request('POST', projectPath(project, 'events'), {
            endpoint_id: endpoint.uid,
            event_type: 'x',
            data: {},
          })
        ).status,
      ).toBe(401);
      const listed = await stack.admin.expect<{ uid: string }[]>(200, 'GET', '/api/v1/projects');
      expect(listed.map((entry) => entry.uid)).not.toContain(project.projectId);
      expect(listed.map((entry) => entry.uid)).toContain(other.projectId);
    });
  });

  describe('endpoints', () => {
    it('PUT is a partial update; the new url receives the next event with the api_key header; errors name the field', async () => {
      const project = await createProject(stack.admin, 'endpoints-put');
      const other = await createProject(stack.admin, 'endpoints-put-other');
      const first = await receivers.start();
      const second = await receivers.start();
      const endpoint = await createEndpoint(project, {
        name: 'ep',
        url: first.url,
        owner_id: 'owner-1',
        description: 'd',
      });
      const otherEndpoint = await createEndpoint(other, { name: 'theirs', url: first.url });

      const put = (id: string, body: unknown, api = project): Promise<ApiResponse> =>
        api.api.request('PUT', projectPath(api, `endpoints/${id}`), body);
      const renamed = await put(endpoint.uid, {
        name: 'renamed',
        http_timeout: 7,
        description: null,
      });
      expectResource(renamed, 'Endpoint updated successfully');
      expect(renamed.body.data).toMatchObject({
        uid: endpoint.uid,
        name: 'renamed',
        url: first.url,
        http_timeout: 7,
        owner_id: 'owner-1',
        description: '',
      });

      const moved = await put(endpoint.uid, {
        url: second.url,
        authentication: {
          type: 'api_key',
          api_key: { header_name: 'X-Api-Key', header_value: 'k-123' },
        },
      });
      expect(moved.status).toBe(202);
      expect(moved.body.data).toMatchObject({ url: second.url });
      const eventId = await sendEvent(project, endpoint.uid, { moved: true });
      const [request] = await second.waitForRequests(1);
      expect(request!.body).toBe('{"moved":true}');
      expect(request!.headers['x-api-key']).toBe('k-123');
      expect(first.requests).toHaveLength(0);
      await deliveryOf(project, eventId, { status: 'Success' });

      expectFieldError(await put(endpoint.uid, { http_timeout: 0 }), 400, 'http_timeout');
      expectFieldError(await put(endpoint.uid, { url: 'ftp://example.com/' }), 400, 'url');
      // The SSRF policy applies again to a changed url (checked, never contacted).
      expectFieldError(
        await put(endpoint.uid, { url: 'http://169.254.169.254/latest/meta-data' }),
        400,
        'url',
      );
      expectFieldError(await put(endpoint.uid, { url: 'http://10.0.0.8/hook' }), 400, 'url');
      expectFieldError(await put(endpoint.uid, { secret: 'plain-secret' }), 400, 'secret');
      expectFieldError(
        await put(endpoint.uid, {
          authentication: {
            type: 'api_key',
            api_key: { header_name: 'bad header', header_value: 'v' },
          },
        }),
        400,
        'authentication.api_key.header_name',
      );
      expectNotFound(await put(UNKNOWN_ID, { name: 'x' }));
      expectNotFound(await put('not-a-uuid', { name: 'x' }));
      // Another project's endpoint is not found here and is left as it was.
      expectNotFound(await put(otherEndpoint.uid, { name: 'stolen' }));
      const theirs = await other.api.expect<EndpointView>(
        200,
        'GET',
        projectPath(other, `endpoints/${otherEndpoint.uid}`),
      );
      expect(theirs.name).toBe('theirs');

      // A new secret replaces the old ones at once.
      const secret = generateStandardSecret();
      const rekeyed = await put(endpoint.uid, { secret, authentication: null });
      expect(rekeyed.body.data).toMatchObject({
        authentication: null,
        secrets: [expect.objectContaining({ value: secret })],
      });
      await sendEvent(project, endpoint.uid, { rekeyed: true });
      const [, again] = await second.waitForRequests(2);
      expect(again!.headers['x-api-key']).toBeUndefined();
      expect(
        new Webhook(secret).verify(again!.body, {
          'webhook-id': String(again!.headers['webhook-id']),
          'webhook-timestamp': String(again!.headers['webhook-timestamp']),
          'webhook-signature': String(again!.headers['webhook-signature']),
        }),
      ).toEqual({ rekeyed: true });
    });

    it('pause holds deliveries until activated; pause toggles; an inactive endpoint is activated, not unpaused', async () => {
      const project = await createProject(stack.admin, 'endpoints-pause', NO_RETRIES);
      const other = await createProject(stack.admin, 'endpoints-pause-other');
      const target = await receivers.start();
      const endpoint = await createEndpoint(project, { name: 'ep', url: target.url });
      const otherEndpoint = await createEndpoint(other, { name: 'theirs', url: target.url });

      const paused = await project.api.request(
        'PUT',
        projectPath(project, `endpoints/${endpoint.uid}/pause`),
      );
      expectResource(paused, 'Endpoint paused successfully');
      expect(paused.body.data).toMatchObject({ uid: endpoint.uid, status: 'paused' });

      const eventId = await sendEvent(project, endpoint.uid, { held: true });
      // The deliver stage has seen it and is holding it back, unattempted.
      await deliveryOf(project, eventId, {
        status: 'Scheduled',
        description: 'endpoint is paused',
      });
      await quiet();
      expect(target.requests).toHaveLength(0);

      const activated = await project.api.request(
        'POST',
        projectPath(project, `endpoints/${endpoint.uid}/activate`),
      );
      expectResource(activated, 'Endpoint activated successfully');
      expect(activated.body.data).toMatchObject({ status: 'active' });
      // Activation makes the held delivery due at once (not after the dispatcher's 30 s re-check).
      const [held] = await target.waitForRequests(1, 10_000);
      expect(held!.body).toBe('{"held":true}');
      await deliveryOf(project, eventId, { status: 'Success' });

      // Convoy's pause is a toggle.
      const toggled = await project.api.expect<EndpointView>(
        202,
        'PUT',
        projectPath(project, `endpoints/${endpoint.uid}/pause`),
      );
      expect(toggled.status).toBe('paused');
      const unpaused = await project.api.request(
        'PUT',
        projectPath(project, `endpoints/${endpoint.uid}/pause`),
      );
      expect(unpaused.body).toMatchObject({
        message: 'Endpoint unpaused successfully',
        data: { status: 'active' },
      });

      // 410 Gone disables the endpoint (inactive): pause refuses it, activate brings it back.
      target.respondWith(() => ({ status: 410 }));
      const goneId = await sendEvent(project, endpoint.uid, { gone: true });
      await deliveryOf(project, goneId, { status: 'Failure' });
      await eventually(async () => {
        const view = await project.api.expect<EndpointView>(
          200,
          'GET',
          projectPath(project, `endpoints/${endpoint.uid}`),
        );
        expect(view.status).toBe('inactive');
      });
      expectFieldError(
        await project.api.request('PUT', projectPath(project, `endpoints/${endpoint.uid}/pause`)),
        409,
        'status',
      );
      target.respondWith(() => ({ status: 200 }));
      const whileInactive = await sendEvent(project, endpoint.uid, { whileInactive: true });
      await quiet(1000);
      // Not routed, or (routing cache not yet refreshed) discarded by the deliver stage: never sent.
      for (const delivery of await deliveriesOf(project, whileInactive))
        expect(delivery.status).toBe('Discarded');
      await project.api.expect(
        202,
        'POST',
        projectPath(project, `endpoints/${endpoint.uid}/activate`),
      );
      await quiet(1200); // the route stage's endpoint cache (1 s)
      const afterId = await sendEvent(project, endpoint.uid, { reactivated: true });
      await deliveryOf(project, afterId, { status: 'Success' });
      expect(target.requests.map((request) => request.body)).toContain('{"reactivated":true}');
      expect(target.requests.map((request) => request.body)).not.toContain(
        '{"whileInactive":true}',
      );

      for (const [method, suffix] of [
        ['PUT', 'pause'],
        ['POST', 'activate'],
      ] as const) {
        expectNotFound(
          await project.api.request(
            method,
            projectPath(project, `endpoints/${UNKNOWN_ID}/${suffix}`),
          ),
        );
        expectNotFound(
          await project.api.request(
            method,
            projectPath(project, `endpoints/${otherEndpoint.uid}/${suffix}`),
          ),
        );
      }
      const theirs = await other.api.expect<EndpointView>(
        200,
        'GET',
        projectPath(other, `endpoints/${otherEndpoint.uid}`),
      );
      expect(theirs.status).toBe('active');
    });

    it('DELETE removes the endpoint and its subscriptions; pending deliveries end Discarded; nothing more is sent', async () => {
      const project = await createProject(stack.admin, 'endpoints-delete');
      const other = await createProject(stack.admin, 'endpoints-delete-other');
      const target = await receivers.start();
      const endpoint = await createEndpoint(project, { name: 'ep', url: target.url });
      const subscription = await createSubscription(project, {
        name: 'all',
        endpoint_id: endpoint.uid,
      });
      const otherEndpoint = await createEndpoint(other, { name: 'theirs', url: target.url });

      // A delivery waiting on a pause when the endpoint is deleted is discarded, never sent.
      await project.api.expect(202, 'PUT', projectPath(project, `endpoints/${endpoint.uid}/pause`));
      const pendingId = await sendEvent(project, endpoint.uid, { pending: true });
      await deliveryOf(project, pendingId, {
        status: 'Scheduled',
        description: 'endpoint is paused',
      });

      const deleted = await project.api.request(
        'DELETE',
        projectPath(project, `endpoints/${endpoint.uid}`),
      );
      expect(deleted.status).toBe(200);
      expect(deleted.body).toMatchObject({
        status: true,
        message: 'Endpoint deleted successfully',
        data: null,
      });
      await deliveryOf(project, pendingId, {
        status: 'Discarded',
        description: 'endpoint deleted',
      });
      expectNotFound(
        await project.api.request('GET', projectPath(project, `endpoints/${endpoint.uid}`)),
      );
      expectNotFound(
        await project.api.request('GET', projectPath(project, `subscriptions/${subscription.uid}`)),
      );
      expectNotFound(
        await project.api.request('DELETE', projectPath(project, `endpoints/${endpoint.uid}`)),
      );
      expectNotFound(
        await project.api.request('DELETE', projectPath(project, `endpoints/${UNKNOWN_ID}`)),
      );
      expectNotFound(
        await project.api.request('DELETE', projectPath(project, `endpoints/${otherEndpoint.uid}`)),
      );
      const listed = await project.api.expect<{ content: unknown[] }>(
        200,
        'GET',
        projectPath(project, 'endpoints'),
      );
      expect(listed.content).toHaveLength(0);

      // Events for it are refused once the ingest API's endpoint cache (5 s) forgets it, and never
      // delivered meanwhile; broadcasts reach nothing; the receiver stays quiet.
      const late = await project.api.post<{ uid?: string }>(projectPath(project, 'events'), {
        endpoint_id: endpoint.uid,
        event_type: 'x',
        data: {},
      });
      expect([201, 404]).toContain(late.status);
      await project.api.expect(201, 'POST', projectPath(project, 'events/broadcast'), {
        event_type: 'x',
        data: { b: 1 },
      });
      await quiet();
      expect(target.requests).toHaveLength(0);
      // Routed before the route stage's cache (1 s) saw the delete, it is discarded, never sent.
      for (const delivery of late.body.data.uid
        ? await deliveriesOf(project, late.body.data.uid)
        : []) {
        expect(delivery.status).toBe('Discarded');
      }
      // The other project's endpoint still works.
      await sendEvent(other, otherEndpoint.uid, { theirs: true });
      await target.waitForRequests(1);
    });
  });

  describe('subscriptions', () => {
    it('PUT updates filters; toggle_status stops and resumes routing; DELETE; errors name the field', async () => {
      const project = await createProject(stack.admin, 'subscriptions');
      const other = await createProject(stack.admin, 'subscriptions-other');
      const target = await receivers.start();
      const endpoint = await createEndpoint(project, { name: 'ep', url: target.url });
      const subscription = await createSubscription(project, {
        name: 'orders',
        endpoint_id: endpoint.uid,
      });
      const otherSubscription = await createSubscription(other, {
        name: 'theirs',
        endpoint_id: (await createEndpoint(other, { name: 'theirs', url: target.url })).uid,
      });
      const put = (id: string, body: unknown): Promise<ApiResponse> =>
        project.api.request('PUT', projectPath(project, `subscriptions/${id}`), body);

      const updated = await put(subscription.uid, {
        name: 'big-orders',
        filter_config: { event_types: ['order.*'], filter: { body: { amount: { $gte: 100 } } } },
      });
      expectResource(updated, 'Subscription updated successfully');
      expect(updated.body.data).toMatchObject({
        uid: subscription.uid,
        name: 'big-orders',
        endpoint_id: endpoint.uid,
        status: 'active',
        filter_config: {
          event_types: ['order.*'],
          filter: { headers: {}, body: { amount: { $gte: 100 } } },
        },
      });
      await quiet(1200); // the route stage's subscription cache (1 s)
      const small = await sendEvent(project, endpoint.uid, { amount: 5 }, 'order.created');
      const big = await sendEvent(project, endpoint.uid, { amount: 500 }, 'order.created');
      await deliveryOf(project, big, { status: 'Success' });
      expect(await deliveriesOf(project, small)).toHaveLength(0);
      expect(target.requests.map((request) => request.body)).toEqual(['{"amount":500}']);

      expectFieldError(
        await put(subscription.uid, {
          filter_config: { filter: { body: { amount: { $gtx: 1 } } } },
        }),
        400,
        'filter_config.filter.body',
      );
      expectFieldError(
        await put(subscription.uid, { filter_config: { event_types: [] } }),
        400,
        'filter_config.event_types',
      );
      expectFieldError(
        await put(subscription.uid, { delivery_mode: 'sometimes' }),
        400,
        'delivery_mode',
      );
      expectFieldError(
        await put(subscription.uid, { endpoint_id: UNKNOWN_ID }),
        404,
        'endpoint_id',
      );
      expectNotFound(await put(UNKNOWN_ID, { name: 'x' }));
      expectNotFound(await put(otherSubscription.uid, { name: 'stolen' }));

      // Toggled off, it routes nothing (and its endpoint does not fall back to the implicit "*").
      const off = await project.api.request(
        'PUT',
        projectPath(project, `subscriptions/${subscription.uid}/toggle_status`),
      );
      expectResource(off, 'Subscription status updated successfully');
      expect(off.body.data).toMatchObject({ status: 'inactive' });
      await quiet(1200);
      const whileOff = await sendEvent(project, endpoint.uid, { amount: 700 }, 'order.created');
      await quiet();
      expect(await deliveriesOf(project, whileOff)).toHaveLength(0);
      expect(target.requests).toHaveLength(1);
      const on = await project.api.expect<SubscriptionView>(
        202,
        'PUT',
        projectPath(project, `subscriptions/${subscription.uid}/toggle_status`),
      );
      expect(on.status).toBe('active');
      await quiet(1200);
      await deliveryOf(
        project,
        await sendEvent(project, endpoint.uid, { amount: 800 }, 'order.created'),
        { status: 'Success' },
      );
      expectNotFound(
        await project.api.request(
          'PUT',
          projectPath(project, `subscriptions/${UNKNOWN_ID}/toggle_status`),
        ),
      );
      expectNotFound(
        await project.api.request(
          'PUT',
          projectPath(project, `subscriptions/${otherSubscription.uid}/toggle_status`),
        ),
      );

      const deleted = await project.api.request(
        'DELETE',
        projectPath(project, `subscriptions/${subscription.uid}`),
      );
      expect(deleted.body).toMatchObject({
        status: true,
        message: 'Subscription deleted successfully',
        data: null,
      });
      expectNotFound(
        await project.api.request('GET', projectPath(project, `subscriptions/${subscription.uid}`)),
      );
      expectNotFound(
        await project.api.request(
          'DELETE',
          projectPath(project, `subscriptions/${subscription.uid}`),
        ),
      );
      expectNotFound(
        await project.api.request(
          'DELETE',
          projectPath(project, `subscriptions/${otherSubscription.uid}`),
        ),
      );
      const theirs = await other.api.expect<SubscriptionView>(
        200,
        'GET',
        projectPath(other, `subscriptions/${otherSubscription.uid}`),
      );
      expect(theirs).toMatchObject({ name: 'theirs', status: 'active' });
    });

    it('test_filter answers whether a sample request passes the filters; a bad filter is a 400 naming it', async () => {
      const project = await createProject(stack.admin, 'test-filter');
      const test = (body: unknown): Promise<ApiResponse<boolean>> =>
        project.api.post<boolean>(projectPath(project, 'subscriptions/test_filter'), body);
      const request = {
        body: { type: 'order', amount: 150, items: [{ sku: 'a' }] },
        headers: { 'X-Source': 'shop' },
      };

      const pass = await test({
        request,
        schema: {
          body: { amount: { $gte: 100 }, 'items.$.sku': 'a' },
          headers: { 'x-source': 'shop' },
        },
      });
      expect(pass.status).toBe(200);
      expect(pass.body).toEqual({
        status: true,
        message: 'Subscriptions filter tested successfully',
        data: true,
      });
      expect((await test({ request, schema: { body: { amount: { $lt: 100 } } } })).body.data).toBe(
        false,
      );
      expect((await test({ request, schema: { headers: { 'x-source': 'pos' } } })).body.data).toBe(
        false,
      );
      expect(
        (await test({ request, schema: { body: { $or: [{ type: 'refund' }, { amount: 150 }] } } }))
          .body.data,
      ).toBe(true);
      expect((await test({ request, schema: {} })).body.data).toBe(true);

      expectFieldError(
        await test({ request, schema: { body: { amount: { $gtx: 1 } } } }),
        400,
        'schema.body',
      );
      expectFieldError(
        await test({ request, schema: { headers: { 'x-source': { $nope: 1 } } } }),
        400,
        'schema.headers',
      );
      expectFieldError(await test({ schema: { body: {} } }), 400, 'request');
    });
  });

  describe('meta events', () => {
    it('sends signed endpoint.created/updated/deleted and eventdelivery.success/failed to the meta URL', async () => {
      const meta = await receivers.start();
      const metaSecret = generateStandardSecret();
      const project = await createProject(stack.admin, 'meta', NO_RETRIES);
      const configured = await project.api.request('PUT', `/api/v1/projects/${project.projectId}`, {
        config: {
          meta_event: { is_enabled: true, type: 'http', url: meta.url, secret: metaSecret },
        },
      });
      expect(configured.status).toBe(202);

      const target = await receivers.start((_request, index) => ({
        status: index === 0 ? 200 : 500,
      }));
      const endpoint = await createEndpoint(project, {
        name: 'watched',
        url: target.url,
        authentication: {
          type: 'api_key',
          api_key: { header_name: 'X-Key', header_value: 'very-secret' },
        },
      });
      const created = await metaArrival(meta, metaSecret, 'endpoint.created', endpoint.uid);
      expect(created.data).toMatchObject({
        uid: endpoint.uid,
        name: 'watched',
        status: 'active',
        project_id: project.projectId,
      });
      // Secrets and credentials never travel in meta events.
      expect(created.data).not.toHaveProperty('secrets');
      expect(JSON.stringify(created.data)).not.toContain('very-secret');

      await project.api.expect(202, 'PUT', projectPath(project, `endpoints/${endpoint.uid}`), {
        name: 'renamed',
      });
      expect(
        (await metaArrival(meta, metaSecret, 'endpoint.updated', endpoint.uid)).data,
      ).toMatchObject({ name: 'renamed' });

      const ok = await sendEvent(project, endpoint.uid, { n: 1 });
      const success = await metaArrival(
        meta,
        metaSecret,
        'eventdelivery.success',
        (await deliveryOf(project, ok, { status: 'Success' })).uid,
      );
      expect(success.data).toMatchObject({
        event_id: ok,
        endpoint_id: endpoint.uid,
        status: 'Success',
      });
      const failing = await sendEvent(project, endpoint.uid, { n: 2 });
      const failedDelivery = await deliveryOf(project, failing, { status: 'Failure' });
      const failed = await metaArrival(
        meta,
        metaSecret,
        'eventdelivery.failed',
        failedDelivery.uid,
      );
      expect(failed.data).toMatchObject({
        event_id: failing,
        status: 'Failure',
        description: 'HTTP 500',
      });

      await project.api.expect(200, 'DELETE', projectPath(project, `endpoints/${endpoint.uid}`));
      await metaArrival(meta, metaSecret, 'endpoint.deleted', endpoint.uid);
      for (const request of meta.requests)
        expect(request.headers['user-agent']).toMatch(/^Flotilla\//);
    });

    it('sends only the listed types, Convoy-signed with a plain secret; a dead meta URL slows nothing down', async () => {
      const meta = await receivers.start();
      const project = await createProject(stack.admin, 'meta-filtered', {
        signature: { format: 'convoy' },
        meta_event: {
          is_enabled: true,
          url: meta.url,
          secret: 'plain-meta-secret',
          event_type: ['endpoint.deleted'],
        },
      });
      const target = await receivers.start();
      const endpoint = await createEndpoint(project, { name: 'ep', url: target.url });
      await project.api.expect(202, 'PUT', projectPath(project, `endpoints/${endpoint.uid}`), {
        name: 'renamed',
      });
      await project.api.expect(200, 'DELETE', projectPath(project, `endpoints/${endpoint.uid}`));
      const [notice] = await meta.waitForRequests(1);
      verifyConvoy({
        header: String(notice!.headers['x-convoy-signature']),
        body: notice!.body,
        secret: 'plain-meta-secret',
        versions: [{ hash: 'SHA256', encoding: 'hex' }],
        advanced: false,
      });
      expect(JSON.parse(notice!.body)).toMatchObject({
        event_type: 'endpoint.deleted',
        data: { uid: endpoint.uid },
      });
      await quiet(1000);
      expect(meta.requests).toHaveLength(1);

      // A meta receiver that never answers: API calls and deliveries go on at their usual pace.
      const hanging = await receivers.hanging();
      const slow = await createProject(stack.admin, 'meta-hanging', {
        meta_event: { is_enabled: true, url: hanging.url, secret: generateStandardSecret() },
      });
      const started = Date.now();
      const fast = await createEndpoint(slow, { name: 'ep', url: target.url });
      await slow.api.expect(202, 'PUT', projectPath(slow, `endpoints/${fast.uid}`), {
        name: 'again',
      });
      expect(Date.now() - started).toBeLessThan(3000);
      await deliveryOf(slow, await sendEvent(slow, fast.uid, { fast: true }), {
        status: 'Success',
      });
      expect(Date.now() - started).toBeLessThan(8000);
      await hanging.waitForRequests(2, 10_000);
    });
  });
});
