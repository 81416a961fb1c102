import { Client } from 'pg';
import {
  createEndpoint,
  createProject,
  createSubscription,
  eventually,
  FlotillaApi,
  projectPath,
  sendEvent,
  startTestStack,
  stopAll,
  UNKNOWN_ID,
  WebhookReceiver,
  type ApiResponse,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface PortalLinkView {
  uid: string;
  owner_id: string;
  endpoints: string[];
  endpoint_count: number;
  can_manage_endpoint: boolean;
  token: string;
  url: string;
  token_prefix: string;
}

interface Page<T> {
  content: T[];
}

interface DeliveryView {
  uid: string;
  event_id: string;
  endpoint_id: string;
  status: string;
}

interface Operation {
  security?: Record<string, string[]>[];
}

const ORDER_SCHEMA = {
  type: 'object',
  required: ['id', 'amount'],
  properties: { id: { type: 'string' }, amount: { type: 'integer', minimum: 1 } },
};

const B_MARKER = 'only-in-owner-b-things';
const Q_MARKER = 'only-in-the-other-project';

describe('event-type catalog, portal links and the portal API', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  let other: DemoProject;
  const ids = {
    a1: '',
    b1: '',
    q1: '',
    eventA: '',
    eventB: '',
    broadcast: '',
    deliveryA: '',
    deliveryB: '',
    attemptA: '',
    attemptB: '',
    deliveryQ: '',
  };
  let linkA: PortalLinkView;
  let linkB: PortalLinkView;
  let portalA: FlotillaApi;
  let portalB: FlotillaApi;
  /** What only owner B's or the other project's things contain: no portal answer to A may. */
  const markers = [B_MARKER, Q_MARKER];

  const deliveriesOf = async (
    target: DemoProject,
    eventId: string,
    count: number,
  ): Promise<DeliveryView[]> =>
    eventually(async () => {
      const page = await target.api.expect<Page<DeliveryView>>(
        200,
        'GET',
        projectPath(target, `eventdeliveries?eventId=${eventId}`),
      );
      const done = page.content.filter((delivery) => delivery.status === 'Success');
      if (done.length < count) throw new Error(`waiting for ${count} deliveries of ${eventId}`);
      return done;
    }, 30_000);

  const firstAttempt = async (target: DemoProject, deliveryId: string): Promise<string> => {
    const attempts = await target.api.expect<{ uid: string }[]>(
      200,
      'GET',
      projectPath(target, `eventdeliveries/${deliveryId}/deliveryattempts`),
    );
    return attempts[0]!.uid;
  };

  beforeAll(async () => {
    // Every management route is tried with a portal token, twice: more refusals a minute than
    // the per-address limit on failed authentications allows (abuse-limits.e2e-spec.ts tests it).
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler'], {
      API_AUTH_FAILURES_PER_MINUTE: '0',
    });
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'portal');
    other = await createProject(stack.admin, 'other');
    ids.a1 = (await createEndpoint(project, { name: 'a1', url: receiver.url, owner_id: 'A' })).uid;
    const b1 = await createEndpoint(project, {
      name: 'b1',
      url: receiver.url,
      owner_id: 'B',
      description: B_MARKER,
    });
    const q1 = await createEndpoint(other, { name: 'q1', url: receiver.url, owner_id: 'A' });
    ids.b1 = b1.uid;
    ids.q1 = q1.uid;
    markers.push(b1.secrets[0]!.value, q1.secrets[0]!.value, other.projectId);
    for (const [target, endpoint] of [
      [project, ids.a1],
      [project, ids.b1],
      [other, ids.q1],
    ] as const) {
      await createSubscription(target, {
        name: 'all',
        endpoint_id: endpoint,
        filter_config: { event_types: ['*'] },
      });
    }
    ids.eventA = await sendEvent(project, ids.a1, { to: 'a' }, 'order.paid');
    ids.eventB = await sendEvent(project, ids.b1, { to: B_MARKER }, 'order.paid');
    ids.broadcast = (
      await project.api.expect<{ uid: string }>(
        201,
        'POST',
        projectPath(project, 'events/broadcast'),
        {
          event_type: 'order.paid',
          data: { to: 'everyone' },
        },
      )
    ).uid;
    const eventQ = await sendEvent(other, ids.q1, { to: Q_MARKER }, 'order.paid');
    ids.deliveryA = (await deliveriesOf(project, ids.eventA, 1))[0]!.uid;
    ids.deliveryB = (await deliveriesOf(project, ids.eventB, 1))[0]!.uid;
    await deliveriesOf(project, ids.broadcast, 2);
    ids.deliveryQ = (await deliveriesOf(other, eventQ, 1))[0]!.uid;
    ids.attemptA = await firstAttempt(project, ids.deliveryA);
    ids.attemptB = await firstAttempt(project, ids.deliveryB);

    linkA = await project.api.expect<PortalLinkView>(
      201,
      'POST',
      projectPath(project, 'portal-links'),
      {
        name: 'Customer A',
        owner_id: 'A',
        can_manage_endpoint: true,
      },
    );
    linkB = await project.api.expect<PortalLinkView>(
      201,
      'POST',
      projectPath(project, 'portal-links'),
      {
        name: 'Customer B (read only)',
        endpoints: [ids.b1],
      },
    );
    portalA = new FlotillaApi(stack.service('ingest-api').url, linkA.token);
    portalB = new FlotillaApi(stack.service('ingest-api').url, linkB.token);
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  describe('event types', () => {
    let typeId = '';

    it('creates a type with its schema and an example payload (201)', async () => {
      const created = await project.api.request<{ uid: string; example: unknown }>(
        'POST',
        projectPath(project, 'event-types'),
        {
          name: 'invoice.paid',
          category: 'billing',
          description: 'Paid',
          json_schema: ORDER_SCHEMA,
        },
      );
      expect(created.status).toBe(201);
      expect(created.body.data.example).toEqual({ id: 'string', amount: 1 });
      typeId = created.body.data.uid;
    });

    it('refuses a second type of the same name (409 naming name)', async () => {
      const again = await project.api.request('POST', projectPath(project, 'event-types'), {
        name: 'invoice.paid',
      });
      expect([again.status, again.body.data]).toEqual([409, { field: 'name' }]);
    });

    it('refuses a schema that is not JSON Schema (400 naming json_schema)', async () => {
      const bad = await project.api.request('POST', projectPath(project, 'event-types'), {
        name: 'bad.schema',
        json_schema: { type: 'nope' },
      });
      expect(bad.status).toBe(400);
      expect((bad.body.data as { field: string }).field).toBe('json_schema');
    });

    it('updates (202) and deprecates (200) a type; the list shows both', async () => {
      const updated = await project.api.request<{ description: string }>(
        'PUT',
        projectPath(project, `event-types/${typeId}`),
        { description: 'An invoice was paid' },
      );
      expect([updated.status, updated.body.data.description]).toEqual([202, 'An invoice was paid']);
      const deprecated = await project.api.request<{ deprecated_at: string | null }>(
        'POST',
        projectPath(project, `event-types/${typeId}/deprecate`),
      );
      expect(deprecated.status).toBe(200);
      expect(deprecated.body.data.deprecated_at).not.toBeNull();
      const list = await project.api.expect<{ name: string; description: string }[]>(
        200,
        'GET',
        projectPath(project, 'event-types'),
      );
      expect(list.map((type) => [type.name, type.description])).toEqual([
        ['invoice.paid', 'An invoice was paid'],
      ]);
    });

    it('serves the catalog as an OpenAPI 3.1 document of webhooks', async () => {
      const document = await project.api.expect<{
        openapi: string;
        webhooks: Record<string, { post: { deprecated?: boolean } }>;
      }>(200, 'GET', projectPath(project, 'event-types/openapi.json'));
      expect(document.openapi).toBe('3.1.0');
      expect(document.webhooks['invoice.paid']?.post.deprecated).toBe(true);
    });
  });

  describe('schema validation of incoming events', () => {
    let strict: DemoProject;
    let endpoint = '';

    beforeAll(async () => {
      strict = await createProject(stack.admin, 'strict', {
        schema_validation: { is_enabled: true },
      });
      endpoint = (await createEndpoint(strict, { name: 'e', url: receiver.url })).uid;
      await strict.api.expect(201, 'POST', projectPath(strict, 'event-types'), {
        name: 'invoice.paid',
        json_schema: ORDER_SCHEMA,
      });
    });

    it('refuses data that breaks its type schema with 400 naming the JSON path', async () => {
      const refused = await strict.api.request('POST', projectPath(strict, 'events'), {
        endpoint_id: endpoint,
        event_type: 'invoice.paid',
        data: { id: 'inv_1', amount: 0 },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.data).toEqual({ field: 'data.amount' });
    });

    it('accepts conforming data, and types without a schema', async () => {
      for (const [type, data] of [
        ['invoice.paid', { id: 'inv_1', amount: 5 }],
        ['not.in.catalog', { anything: true }],
      ] as const) {
        const accepted = await strict.api.request('POST', projectPath(strict, 'events'), {
          endpoint_id: endpoint,
          event_type: type,
          data,
        });
        expect(accepted.status).toBe(201);
      }
    });

    it('checks nothing in a project that has validation off (the default)', async () => {
      await project.api.expect(201, 'POST', projectPath(project, 'events'), {
        endpoint_id: ids.a1,
        event_type: 'invoice.paid',
        data: { amount: 'not a number' },
      });
    });
  });

  describe('portal links', () => {
    it('answers a token and a url carrying it, once; only a hash of it is stored', async () => {
      expect(linkA.token).toMatch(/^PL\.[0-9a-f]{16}\./);
      expect(linkA.url).toBe(
        `http://${new URL(stack.service('ingest-api').url).host}/ui/portal?token=${encodeURIComponent(linkA.token)}`,
      );
      const fetched = await project.api.expect<PortalLinkView>(
        200,
        'GET',
        projectPath(project, `portal-links/${linkA.uid}`),
      );
      expect(fetched).toMatchObject({ token: '', url: '', endpoint_count: 1, owner_id: 'A' });
      const db = new Client({ connectionString: stack.databaseUrl });
      await db.connect();
      try {
        const { rows } = await db.query<Record<string, string>>(
          'SELECT * FROM portal_links WHERE id = $1',
          [linkA.uid],
        );
        const secret = linkA.token.split('.')[2]!;
        expect(JSON.stringify(rows)).not.toContain(secret);
        expect(rows[0]!['token_hash']).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        await db.end();
      }
    });

    it('lists links, filtered by owner', async () => {
      const page = await project.api.expect<Page<PortalLinkView>>(
        200,
        'GET',
        projectPath(project, 'portal-links?ownerId=A'),
      );
      expect(page.content.map((link) => link.uid)).toEqual([linkA.uid]);
    });

    it('refuses a link with both an owner and endpoints, or endpoints of another project', async () => {
      const both = await project.api.request('POST', projectPath(project, 'portal-links'), {
        name: 'x',
        owner_id: 'A',
        endpoints: [ids.a1],
      });
      const foreign = await project.api.request('POST', projectPath(project, 'portal-links'), {
        name: 'x',
        endpoints: [ids.q1],
      });
      expect([both.status, foreign.status]).toEqual([400, 400]);
      expect((foreign.body.data as { field: string }).field).toBe('endpoints');
    });

    it('updates a link (202), refreshes its token (old one 401) and revokes it (401)', async () => {
      const link = await project.api.expect<PortalLinkView>(
        201,
        'POST',
        projectPath(project, 'portal-links'),
        {
          name: 'temp',
          owner_id: 'A',
        },
      );
      const portal = new FlotillaApi(stack.service('ingest-api').url, link.token);
      expect((await portal.get('/portal-api/portal_link')).status).toBe(200);
      const updated = await project.api.request<PortalLinkView>(
        'PUT',
        projectPath(project, `portal-links/${link.uid}`),
        { name: 'renamed', can_manage_endpoint: true },
      );
      expect([updated.status, updated.body.data.can_manage_endpoint]).toEqual([202, true]);
      // Convoy's RefreshPortalLinkAuthToken answers the new token itself as data.
      const refreshed = await project.api.expect<string>(
        200,
        'GET',
        projectPath(project, `portal-links/${link.uid}/refresh_token`),
      );
      expect((await portal.get('/portal-api/portal_link')).status).toBe(401);
      const fresh = new FlotillaApi(stack.service('ingest-api').url, refreshed);
      expect((await fresh.get('/portal-api/portal_link')).status).toBe(200);
      await project.api.expect(200, 'PUT', projectPath(project, `portal-links/${link.uid}/revoke`));
      expect((await fresh.get('/portal-api/portal_link')).status).toBe(401);
    });
  });

  describe('the portal API', () => {
    it("takes the token as ?token= too, and shows the link's permissions", async () => {
      const anonymous = new FlotillaApi(stack.service('ingest-api').url);
      const self = await anonymous.get<{ name: string; can_manage_endpoint: boolean }>(
        `/portal-api/portal_link?token=${encodeURIComponent(linkA.token)}`,
      );
      expect([self.status, self.body.data.name, self.body.data.can_manage_endpoint]).toEqual([
        200,
        'Customer A',
        true,
      ]);
      const missing = await anonymous.get('/portal-api/endpoints');
      expect([missing.status, missing.body.data]).toMatchObject([401, { field: 'token' }]);
    });

    it("lists only the owner's endpoints, deliveries and events (a broadcast shows only its own endpoint)", async () => {
      const endpoints = await portalA.expect<Page<{ uid: string; owner_id: string }>>(
        200,
        'GET',
        '/portal-api/endpoints',
      );
      expect(endpoints.content.map((endpoint) => endpoint.uid)).toEqual([ids.a1]);
      const deliveries = await portalA.expect<Page<DeliveryView>>(
        200,
        'GET',
        '/portal-api/eventdeliveries',
      );
      expect(new Set(deliveries.content.map((delivery) => delivery.endpoint_id))).toEqual(
        new Set([ids.a1]),
      );
      const events = await portalA.expect<Page<{ uid: string; endpoints: string[] }>>(
        200,
        'GET',
        '/portal-api/events',
      );
      expect(events.content.map((event) => event.uid)).not.toContain(ids.eventB);
      // Of the two endpoints the broadcast went to, only the owner's own is named.
      expect(events.content.find((event) => event.uid === ids.broadcast)?.endpoints).toEqual([
        ids.a1,
      ]);
      const totals = JSON.stringify(await portalA.get('/portal-api/events'));
      expect(totals).not.toContain(ids.b1);
    });

    it("gives the portal's new endpoints the link's owner; a read-only link may not make one (403)", async () => {
      const created = await portalA.request<{ uid: string; owner_id: string }>(
        'POST',
        '/portal-api/endpoints',
        {
          name: 'made in the portal',
          url: receiver.url,
        },
      );
      expect([created.status, created.body.data.owner_id]).toEqual([201, 'A']);
      const readOnly = await portalB.request('POST', '/portal-api/endpoints', {
        name: 'nope',
        url: receiver.url,
      });
      expect([readOnly.status, readOnly.body.data]).toEqual([
        403,
        { field: 'can_manage_endpoint' },
      ]);
    });

    it('pauses, updates and rotates the secret of its own endpoint', async () => {
      const paused = await portalA.request<{ status: string }>(
        'PUT',
        `/portal-api/endpoints/${ids.a1}/pause`,
      );
      expect(paused.body.data.status).toBe('paused');
      await portalA.expect(202, 'PUT', `/portal-api/endpoints/${ids.a1}/pause`);
      const renamed = await portalA.request<{ name: string }>(
        'PUT',
        `/portal-api/endpoints/${ids.a1}`,
        {
          name: 'a1 renamed',
        },
      );
      expect([renamed.status, renamed.body.data.name]).toEqual([202, 'a1 renamed']);
      const rotated = await portalA.expect<{ secrets: unknown[] }>(
        200,
        'PUT',
        `/portal-api/endpoints/${ids.a1}/expire_secret`,
        { expiration: 60 },
      );
      expect(rotated.secrets).toHaveLength(2);
    });

    it('resends its own failed delivery', async () => {
      receiver.respondWith(() => ({ status: 500 }));
      const eventId = await sendEvent(project, ids.a1, { retry: true }, 'order.paid');
      const delivery = await eventually(async () => {
        const page = await portalA.expect<Page<DeliveryView>>(
          200,
          'GET',
          `/portal-api/eventdeliveries?eventId=${eventId}`,
        );
        const found = page.content.find(
          (item) => item.status !== 'Scheduled' && item.status !== 'Processing',
        );
        if (!found) throw new Error('not attempted yet');
        return found;
      }, 30_000);
      receiver.respondWith(() => ({ status: 200 }));
      await portalA.expect(200, 'PUT', `/portal-api/eventdeliveries/${delivery.uid}/resend`);
      await eventually(async () => {
        const again = await portalA.expect<DeliveryView>(
          200,
          'GET',
          `/portal-api/eventdeliveries/${delivery.uid}`,
        );
        expect(again.status).toBe('Success');
      }, 30_000);
    });

    describe('isolation: every route the portal token can call', () => {
      /**
       * For each portal route, a request forged with owner A's token for something of owner B (or
       * of another project), and what it must answer. A new /portal-api route without a case here
       * fails the coverage test below.
       */
      const forged = (): Record<string, () => Promise<ApiResponse>> => ({
        'GET /portal-api/portal_link': () => portalA.get('/portal-api/portal_link'),
        'GET /portal-api/event-types': () => portalA.get('/portal-api/event-types'),
        'GET /portal-api/endpoints': () =>
          portalA.get(`/portal-api/endpoints?endpointId=${ids.b1}`),
        'POST /portal-api/endpoints': () =>
          portalA.post('/portal-api/endpoints', { name: 'x', url: receiver.url, owner_id: 'B' }),
        'GET /portal-api/endpoints/{endpointID}': () =>
          portalA.get(`/portal-api/endpoints/${ids.b1}`),
        'PUT /portal-api/endpoints/{endpointID}': () =>
          portalA.request('PUT', `/portal-api/endpoints/${ids.b1}`, { name: 'stolen' }),
        'DELETE /portal-api/endpoints/{endpointID}': () =>
          portalA.request('DELETE', `/portal-api/endpoints/${ids.b1}`),
        'PUT /portal-api/endpoints/{endpointID}/pause': () =>
          portalA.request('PUT', `/portal-api/endpoints/${ids.b1}/pause`),
        'PUT /portal-api/endpoints/{endpointID}/expire_secret': () =>
          portalA.request('PUT', `/portal-api/endpoints/${ids.b1}/expire_secret`, {
            expiration: 0,
          }),
        'GET /portal-api/events': () => portalA.get(`/portal-api/events?endpointId=${ids.b1}`),
        'GET /portal-api/events/{eventID}': () => portalA.get(`/portal-api/events/${ids.eventB}`),
        'GET /portal-api/eventdeliveries': () =>
          portalA.get(`/portal-api/eventdeliveries?endpointId=${ids.b1}`),
        'GET /portal-api/eventdeliveries/{deliveryID}': () =>
          portalA.get(`/portal-api/eventdeliveries/${ids.deliveryB}`),
        'PUT /portal-api/eventdeliveries/{deliveryID}/resend': () =>
          portalA.request('PUT', `/portal-api/eventdeliveries/${ids.deliveryQ}/resend`),
        'GET /portal-api/eventdeliveries/{deliveryID}/deliveryattempts': () =>
          portalA.get(`/portal-api/eventdeliveries/${ids.deliveryB}/deliveryattempts`),
        'GET /portal-api/eventdeliveries/{deliveryID}/deliveryattempts/{attemptID}': () =>
          portalA.get(
            `/portal-api/eventdeliveries/${ids.deliveryA}/deliveryattempts/${ids.attemptB}`,
          ),
      });

      let portalRoutes: string[] = [];
      let managementRoutes: { method: string; path: string }[] = [];

      beforeAll(async () => {
        const document = (await (
          await fetch(`${stack.service('ingest-api').url}/openapi.json`)
        ).json()) as {
          paths: Record<string, Record<string, Operation>>;
        };
        const all = Object.entries(document.paths).flatMap(([path, item]) =>
          Object.entries(item).map(([method, operation]) => ({
            method: method.toUpperCase(),
            path,
            secured: (operation.security ?? []).length > 0,
          })),
        );
        portalRoutes = all
          .filter((route) => route.path.startsWith('/portal-api/'))
          .map((route) => `${route.method} ${route.path}`);
        managementRoutes = all.filter(
          (route) => !route.path.startsWith('/portal-api/') && route.secured,
        );
      });

      it('has a forged request for every /portal-api route the service serves', () => {
        expect(portalRoutes.length).toBeGreaterThan(10);
        expect(Object.keys(forged()).sort()).toEqual([...portalRoutes].sort());
      });

      it('never answers anything of owner B or of another project', async () => {
        const answers: Record<string, [number, string]> = {};
        for (const [route, send] of Object.entries(forged())) {
          const answer = await send();
          answers[route] = [answer.status, JSON.stringify(answer.body)];
        }
        for (const [route, [status, body]] of Object.entries(answers)) {
          for (const marker of markers) expect(`${route}: ${body}`).not.toContain(marker);
          // Reads of someone else's things are 404, exactly like ids that do not exist.
          if (route.includes('{')) expect(`${route}: ${status}`).toBe(`${route}: 404`);
        }
        expect(answers['POST /portal-api/endpoints']?.[0]).toBe(400); // owner_id is not the customer's to choose
        // Asking a list for B's endpoint narrows it to nothing rather than widening it.
        for (const route of ['GET /portal-api/events', 'GET /portal-api/eventdeliveries']) {
          const [status, body] = answers[route]!;
          expect([status, (JSON.parse(body) as { data: Page<unknown> }).data.content]).toEqual([
            200,
            [],
          ]);
        }
        // B's endpoint is untouched.
        const b1 = await project.api.expect<{ name: string; status: string }>(
          200,
          'GET',
          projectPath(project, `endpoints/${ids.b1}`),
        );
        expect([b1.name, b1.status]).toEqual(['b1', 'active']);
      });

      it('is refused (401) on every management route, as a bearer token and as ?token=', async () => {
        expect(managementRoutes.length).toBeGreaterThan(40);
        const fill = (path: string): string =>
          path.replace('{projectID}', project.projectId).replace(/\{[^}]+\}/g, UNKNOWN_ID);
        const anonymous = new FlotillaApi(stack.service('ingest-api').url);
        const statuses = new Set<string>();
        for (const route of managementRoutes) {
          const path = fill(route.path);
          const body = route.method === 'GET' ? undefined : {};
          const asBearer = await portalA.request(route.method, path, body);
          const asQuery = await anonymous.request(
            route.method,
            `${path}?token=${encodeURIComponent(linkA.token)}`,
            body,
          );
          statuses.add(`${route.method} ${route.path} ${asBearer.status} ${asQuery.status}`);
        }
        expect([...statuses].filter((line) => !line.endsWith(' 401 401'))).toEqual([]);
      });
    });
  });
});
