import {
  createEndpoint,
  createProject,
  createSubscription,
  eventually,
  projectPath,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface Page<T> {
  content: T[];
}
interface Named {
  uid: string;
  name: string;
}
interface EventView {
  uid: string;
  endpoints: string[];
  headers: Record<string, string[]> | null;
}
interface DeliveryView {
  uid: string;
  endpoint_id: string;
  target_url: string;
  idempotency_key: string;
  endpoint_metadata: { uid: string; url: string } | null;
  event_metadata: { uid: string; event_type: string } | null;
}

/**
 * The shapes and filters a Convoy client depends on, each checked against Convoy's own code
 * (frain-dev/convoy: api/models, datastore/models.go, api/handlers), named in each test.
 */
describe('Convoy shapes and filters', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'convoy shapes');
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  const list = async <T>(path: string): Promise<T[]> =>
    (await project.api.expect<Page<T>>(200, 'GET', projectPath(project, path))).content;

  /** The event's first delivery, once the dispatcher has made it. */
  const deliveryOf = (eventId: string): Promise<DeliveryView> =>
    eventually(async () => {
      const [delivery] = await list<DeliveryView>(`eventdeliveries?eventId=${eventId}`);
      expect(delivery).toBeDefined();
      return delivery!;
    }, 20_000);

  describe("event headers (datastore.Event.Headers is Go's http.Header)", () => {
    it('answers custom headers as a list of values per name', async () => {
      const endpoint = await createEndpoint(project, { name: 'headers', url: receiver.url });
      const sent = await project.api.expect<EventView>(
        201,
        'POST',
        projectPath(project, 'events'),
        {
          endpoint_id: endpoint.uid,
          event_type: 'headers.single',
          data: {},
          custom_headers: { 'x-one': 'a' },
        },
      );
      expect(sent.headers).toEqual({ 'x-one': ['a'] });
      // Events are stored by the route stage, just after the 201.
      const got = await eventually(() =>
        project.api.expect<EventView>(200, 'GET', projectPath(project, `events/${sent.uid}`)),
      );
      expect(got.headers).toEqual({ 'x-one': ['a'] });
    });

    it('takes a list of values, as Convoy answers them, and sends them as one header', async () => {
      const endpoint = await createEndpoint(project, { name: 'lists', url: receiver.url });
      const sent = await project.api.expect<EventView>(
        201,
        'POST',
        projectPath(project, 'events'),
        {
          endpoint_id: endpoint.uid,
          event_type: 'headers.list',
          data: {},
          custom_headers: { 'x-many': ['a', 'b'] },
        },
      );
      await deliveryOf(sent.uid);
      const request = await eventually(() => {
        const found = receiver.requests.find((r) => r.headers['x-many'] !== undefined);
        expect(found).toBeDefined();
        return Promise.resolve(found!);
      });
      expect(request.headers['x-many']).toBe('a, b');
    });
  });

  describe('links to related objects', () => {
    it('gives a subscription its endpoint as endpoint_metadata (models.SubscriptionResponse)', async () => {
      const endpoint = await createEndpoint(project, { name: 'linked', url: receiver.url });
      const subscription = await createSubscription(project, {
        name: 'linked',
        endpoint_id: endpoint.uid,
      });
      const got = await project.api.expect<{ endpoint_metadata: { uid: string } | null }>(
        200,
        'GET',
        projectPath(project, `subscriptions/${subscription.uid}`),
      );
      expect(got.endpoint_metadata?.uid).toBe(endpoint.uid);
    });

    it('gives a delivery its endpoint and event (models.EventDeliveryResponse)', async () => {
      const endpoint = await createEndpoint(project, { name: 'delivered', url: receiver.url });
      const sent = await project.api.expect<{ uid: string }>(
        201,
        'POST',
        projectPath(project, 'events'),
        {
          endpoint_id: endpoint.uid,
          event_type: 'linked.event',
          data: {},
          idempotency_key: 'linked-key',
        },
      );
      const delivery = await deliveryOf(sent.uid);
      expect(delivery).toMatchObject({
        target_url: receiver.url,
        idempotency_key: 'linked-key',
        endpoint_metadata: { uid: endpoint.uid, url: receiver.url },
        event_metadata: { uid: sent.uid, event_type: 'linked.event' },
      });
    });

    it('gives an http source its full ingest url (datastore.Source.URL)', async () => {
      const source = await project.api.expect<{ mask_id: string; url: string }>(
        201,
        'POST',
        projectPath(project, 'sources'),
        { name: 'incoming', type: 'http', verifier: { type: 'noop' } },
      );
      expect(source.url).toBe(`${stack.service('ingest-api').url}/ingest/${source.mask_id}`);
    });
  });

  describe('fan-out and broadcast recipients (Convoy matches every endpoint an event went to)', () => {
    it('finds a fan-out event by each recipient, and lists them in its endpoints', async () => {
      const owner = `owner-${String(Date.now())}`;
      const first = await createEndpoint(project, {
        name: 'f1',
        url: receiver.url,
        owner_id: owner,
      });
      const second = await createEndpoint(project, {
        name: 'f2',
        url: receiver.url,
        owner_id: owner,
      });
      const sent = await project.api.expect<{ uid: string }>(
        201,
        'POST',
        projectPath(project, 'events/fanout'),
        { owner_id: owner, event_type: 'fanned.out', data: {} },
      );
      await eventually(async () => {
        expect(await list<{ uid: string }>(`eventdeliveries?eventId=${sent.uid}`)).toHaveLength(2);
      }, 20_000);
      for (const endpoint of [first, second]) {
        const found = await list<EventView>(`events?endpointId=${endpoint.uid}`);
        expect(found.map((event) => event.uid)).toContain(sent.uid);
      }
      const event = await project.api.expect<EventView>(
        200,
        'GET',
        projectPath(project, `events/${sent.uid}`),
      );
      expect([...event.endpoints].sort()).toEqual([first.uid, second.uid].sort());
    });

    it('counts a fan-out event for a batch replay selecting one recipient', async () => {
      const owner = `replay-${String(Date.now())}`;
      const endpoint = await createEndpoint(project, {
        name: 'r',
        url: receiver.url,
        owner_id: owner,
      });
      const sent = await project.api.expect<{ uid: string }>(
        201,
        'POST',
        projectPath(project, 'events/fanout'),
        { owner_id: owner, event_type: 'fanned.replay', data: {} },
      );
      await deliveryOf(sent.uid);
      const count = await project.api.expect<{ num: number }>(
        200,
        'GET',
        projectPath(project, `events/countbatchreplayevents?endpointId=${endpoint.uid}`),
      );
      expect(count.num).toBe(1);
    });
  });

  describe('list filters (models.QueryListEndpoint, QueryListSubscription, QueryListSource)', () => {
    it('filters endpoints by ownerId and by q, a part of the name in any case', async () => {
      const a = await createEndpoint(project, {
        name: 'Alpha Orders',
        url: receiver.url,
        owner_id: 'acme',
      });
      await createEndpoint(project, { name: 'beta', url: receiver.url, owner_id: 'other' });
      expect((await list<Named>('endpoints?ownerId=acme')).map((e) => e.uid)).toEqual([a.uid]);
      expect((await list<Named>('endpoints?q=alpha%20ord')).map((e) => e.uid)).toEqual([a.uid]);
    });

    it('filters subscriptions by endpointId and by name', async () => {
      const endpoint = await createEndpoint(project, { name: 'subs', url: receiver.url });
      const subscription = await createSubscription(project, {
        name: 'Only This One',
        endpoint_id: endpoint.uid,
      });
      const byEndpoint = await list<Named>(`subscriptions?endpointId=${endpoint.uid}`);
      expect(byEndpoint.map((s) => s.uid)).toEqual([subscription.uid]);
      const byName = await list<Named>('subscriptions?name=only%20this');
      expect(byName.map((s) => s.uid)).toEqual([subscription.uid]);
    });

    it('filters sources by type and by q', async () => {
      const source = await project.api.expect<{ uid: string }>(
        201,
        'POST',
        projectPath(project, 'sources'),
        {
          name: 'Filtered Source',
          type: 'http',
          verifier: { type: 'noop' },
        },
      );
      expect((await list<Named>('sources?type=pub_sub')).map((s) => s.uid)).not.toContain(
        source.uid,
      );
      expect((await list<Named>('sources?type=http&q=filtered')).map((s) => s.uid)).toEqual([
        source.uid,
      ]);
    });

    it('filters fan-out events by ownerId', async () => {
      const owner = `events-owner-${String(Date.now())}`;
      await createEndpoint(project, { name: 'o', url: receiver.url, owner_id: owner });
      const sent = await project.api.expect<{ uid: string }>(
        201,
        'POST',
        projectPath(project, 'events/fanout'),
        { owner_id: owner, event_type: 'owned', data: {} },
      );
      await eventually(async () => {
        const owned = await list<EventView>(`events?ownerId=${owner}`);
        expect(owned.map((event) => event.uid)).toEqual([sent.uid]);
      });
    });

    it('refuses a query parameter a route does not take, naming it, instead of ignoring it', async () => {
      const response = await project.api.request(
        'GET',
        projectPath(project, 'endpoints?ownerID=acme'),
      );
      expect([response.status, response.body.message]).toEqual([
        400,
        expect.stringContaining('unknown query parameter "ownerID"') as string,
      ]);
    });

    it('takes a blank parameter it does not know: an unset filter filters nothing', async () => {
      const response = await project.api.request('GET', projectPath(project, 'endpoints?query='));
      expect(response.status).toBe(200);
    });

    it('refuses query parameters on routes that take none', async () => {
      const response = await project.api.request(
        'GET',
        `/api/v1/projects/${project.projectId}?verbose=1`,
      );
      expect([response.status, response.body.message]).toEqual([
        400,
        expect.stringContaining('"verbose"') as string,
      ]);
    });
  });

  describe("test_filter (api/models/subscription.go: FilterSchema's header is singular)", () => {
    const testFilter = (body: unknown) =>
      project.api.request<boolean>('POST', projectPath(project, 'subscriptions/test_filter'), body);

    it('checks a condition on the request headers given as `header`', async () => {
      const failing = await testFilter({
        request: { header: { 'x-tier': 'free' }, body: {} },
        schema: { header: { 'x-tier': 'gold' } },
      });
      const passing = await testFilter({
        request: { header: { 'x-tier': 'gold' }, body: {} },
        schema: { header: { 'x-tier': 'gold' } },
      });
      expect([failing.body.data, passing.body.data]).toEqual([false, true]);
    });

    it('refuses an unknown key in the schema, naming it', async () => {
      const response = await testFilter({ request: { body: {} }, schema: { heders: { a: 1 } } });
      expect(response.status).toBe(400);
      expect(JSON.stringify(response.body)).toContain('heders');
    });

    it('refuses a condition on the request query, saying Flotilla events have none', async () => {
      const response = await testFilter({ request: { body: {} }, schema: { query: { page: 1 } } });
      expect([response.status, response.body.message]).toEqual([
        400,
        expect.stringContaining('not supported') as string,
      ]);
    });
  });
});
