import { randomBytes, randomUUID } from 'node:crypto';
import {
  FlotillaApi,
  startTestStack,
  stopAll,
  type ApiResponse,
  type ServiceProcess,
  type TestStack,
} from '@flotilla/testing';
import { createTenant, expectNothingOf, type Tenant } from './support/tenants';

jest.setTimeout(300_000);

/** The values a route's path parameters, bodies and filters take, for one tenant. */
interface Ids {
  projectID: string;
  keyID: string;
  endpointID: string;
  subscriptionID: string;
  eventID: string;
  deliveryID: string;
  attemptID: string;
  sourceID: string;
  eventTypeID: string;
  portalLinkID: string;
  maskID: string;
  metaEventID: string;
  /** Subscription filter objects are not supported (501): any id does. */
  filterID: string;
  eventType: string;
  /** The tenant's owner id, and the prefix of its names and event types. */
  marker: string;
}

const ID_NAMES: readonly (keyof Ids)[] = [
  'projectID',
  'keyID',
  'endpointID',
  'subscriptionID',
  'eventID',
  'deliveryID',
  'attemptID',
  'sourceID',
  'eventTypeID',
  'portalLinkID',
  'maskID',
  'metaEventID',
  'filterID',
  'eventType',
  'marker',
];

type Scope =
  /** A project key reaches it for its own project only; another project's ids are 404. */
  | 'project'
  /** The instance admin token only: every project key is refused, its own project's too. */
  | 'admin'
  /** A portal token only: project keys are refused. */
  | 'portal'
  /** Anyone: it must show nothing of any project. */
  | 'public';

interface RouteSpec {
  scope: Scope;
  /** A Convoy route Flotilla answers 501 to everyone: no data of any tenant behind it. */
  unsupported?: true;
  /** What a caller would send: the route's own kind of body, naming the ids given. */
  body?: (ids: Ids) => unknown;
  /** A query string (without `?`) naming the ids given: filters of batch operations. */
  query?: (ids: Ids) => string;
  /** Why a public route is not called here (it is tested elsewhere). */
  skip?: string;
}

/**
 * Every route ingest-api registers, with who may call it. The test below reads the routes the
 * running service mapped and fails when one is missing here (or listed here and gone), so a new
 * route cannot ship without its tenancy being tested.
 */
const ROUTES: Record<string, RouteSpec | undefined> = {
  'POST /api/v1/projects': { scope: 'admin', body: () => ({ name: 'intruder' }) },
  'GET /api/v1/projects': { scope: 'admin' },
  'GET /api/v1/projects/:projectID': { scope: 'project' },
  'PUT /api/v1/projects/:projectID': { scope: 'project', body: () => ({ name: 'hijacked' }) },
  'DELETE /api/v1/projects/:projectID': { scope: 'admin' },
  'POST /api/v1/projects/:projectID/keys': { scope: 'project', body: () => ({ name: 'intruder' }) },
  'GET /api/v1/projects/:projectID/keys': { scope: 'project' },
  'GET /api/v1/projects/:projectID/keys/:keyID': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/keys/:keyID/revoke': { scope: 'project' },
  'POST /api/v1/projects/:projectID/endpoints': {
    scope: 'project',
    body: () => ({ name: 'intruder', url: 'http://127.0.0.1:9/hook', owner_id: 'intruder' }),
  },
  'GET /api/v1/projects/:projectID/endpoints': { scope: 'project' },
  'GET /api/v1/projects/:projectID/endpoints/:endpointID': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/endpoints/:endpointID/expire_secret': {
    scope: 'project',
    body: () => ({ expiration: 0 }),
  },
  'PUT /api/v1/projects/:projectID/endpoints/:endpointID': {
    scope: 'project',
    body: () => ({ name: 'hijacked' }),
  },
  'DELETE /api/v1/projects/:projectID/endpoints/:endpointID': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/endpoints/:endpointID/pause': { scope: 'project' },
  'POST /api/v1/projects/:projectID/endpoints/:endpointID/activate': { scope: 'project' },
  'POST /api/v1/projects/:projectID/subscriptions': {
    scope: 'project',
    body: (ids) => ({ name: 'intruder', endpoint_id: ids.endpointID, source_id: ids.sourceID }),
  },
  'GET /api/v1/projects/:projectID/subscriptions': { scope: 'project' },
  'POST /api/v1/projects/:projectID/subscriptions/test_filter': {
    scope: 'project',
    body: () => ({ request: { body: { n: 1 } }, schema: { body: {} } }),
  },
  'GET /api/v1/projects/:projectID/subscriptions/:subscriptionID': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/subscriptions/:subscriptionID': {
    scope: 'project',
    body: (ids) => ({ name: 'hijacked', endpoint_id: ids.endpointID, source_id: ids.sourceID }),
  },
  'DELETE /api/v1/projects/:projectID/subscriptions/:subscriptionID': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/subscriptions/:subscriptionID/toggle_status': {
    scope: 'project',
  },
  'POST /api/v1/projects/:projectID/events': {
    scope: 'project',
    body: (ids) => ({ endpoint_id: ids.endpointID, event_type: 'intruder', data: {} }),
  },
  'POST /api/v1/projects/:projectID/events/fanout': {
    scope: 'project',
    // Fanning out to A's owner id: in the replay and batch test, which runs last among B's calls.
    body: () => ({ owner_id: 'intruder', event_type: 'intruder', data: {} }),
  },
  'POST /api/v1/projects/:projectID/events/broadcast': {
    scope: 'project',
    body: () => ({ event_type: 'intruder', data: {} }),
  },
  'POST /api/v1/projects/:projectID/events/dynamic': {
    scope: 'project',
    body: () => ({ url: 'http://127.0.0.1:9/dynamic', event_type: 'intruder', data: {} }),
  },
  'GET /api/v1/projects/:projectID/events': { scope: 'project' },
  'POST /api/v1/projects/:projectID/events/batchreplay': {
    scope: 'project',
    query: (ids) => `endpointId=${ids.endpointID}&sourceId=${ids.sourceID}`,
  },
  'GET /api/v1/projects/:projectID/events/countbatchreplayevents': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/events/:eventID/replay': { scope: 'project' },
  'GET /api/v1/projects/:projectID/events/:eventID': { scope: 'project' },
  'GET /api/v1/projects/:projectID/eventdeliveries': { scope: 'project' },
  'GET /api/v1/projects/:projectID/eventdeliveries/statustotals': { scope: 'project' },
  'POST /api/v1/projects/:projectID/eventdeliveries/forceresend': {
    scope: 'project',
    body: (ids) => ({ ids: [ids.deliveryID] }),
  },
  'POST /api/v1/projects/:projectID/eventdeliveries/batchretry': {
    scope: 'project',
    query: (ids) => `eventId=${ids.eventID}&status=Success`,
  },
  'GET /api/v1/projects/:projectID/eventdeliveries/countbatchretryevents': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/eventdeliveries/:deliveryID/resend': { scope: 'project' },
  'GET /api/v1/projects/:projectID/eventdeliveries/:deliveryID': { scope: 'project' },
  'GET /api/v1/projects/:projectID/eventdeliveries/:deliveryID/deliveryattempts': {
    scope: 'project',
  },
  'GET /api/v1/projects/:projectID/eventdeliveries/:deliveryID/deliveryattempts/:attemptID': {
    scope: 'project',
  },
  'POST /api/v1/projects/:projectID/sources': {
    scope: 'project',
    body: () => ({ name: 'intruder', type: 'http', verifier: { type: 'noop' } }),
  },
  'GET /api/v1/projects/:projectID/sources': { scope: 'project' },
  'GET /api/v1/projects/:projectID/sources/:sourceID': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/sources/:sourceID': {
    scope: 'project',
    body: () => ({ name: 'hijacked' }),
  },
  'DELETE /api/v1/projects/:projectID/sources/:sourceID': { scope: 'project' },
  'GET /api/v1/projects/:projectID/sources/:sourceID/failures': { scope: 'project' },
  'GET /api/v1/projects/:projectID/ingestfailures': { scope: 'project' },
  'POST /ingest/:maskID': {
    scope: 'public',
    skip: "the source's verifier is its authentication: incoming-webhooks.e2e-spec.ts",
  },
  'GET /api/v1/projects/:projectID/event-types': { scope: 'project' },
  'POST /api/v1/projects/:projectID/event-types': {
    scope: 'project',
    body: () => ({ name: 'intruder.created' }),
  },
  'GET /api/v1/projects/:projectID/event-types/openapi.json': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/event-types/:eventTypeID': {
    scope: 'project',
    body: () => ({ description: 'hijacked' }),
  },
  'POST /api/v1/projects/:projectID/event-types/:eventTypeID/deprecate': { scope: 'project' },
  'POST /api/v1/projects/:projectID/portal-links': {
    scope: 'project',
    body: (ids) => ({ name: 'intruder', endpoints: [ids.endpointID] }),
  },
  'GET /api/v1/projects/:projectID/portal-links': { scope: 'project' },
  'GET /api/v1/projects/:projectID/portal-links/:portalLinkID': { scope: 'project' },
  'GET /api/v1/projects/:projectID/portal-links/:portalLinkID/refresh_token': {
    scope: 'project',
  },
  'PUT /api/v1/projects/:projectID/portal-links/:portalLinkID': {
    scope: 'project',
    body: (ids) => ({ name: 'hijacked', endpoints: [ids.endpointID] }),
  },
  'PUT /api/v1/projects/:projectID/portal-links/:portalLinkID/revoke': { scope: 'project' },
  'GET /api/v1/projects/:projectID/overview': { scope: 'project' },
  'GET /api/v1/projects/:projectID/meta-events': { scope: 'project' },
  'GET /api/v1/projects/:projectID/meta-events/:metaEventID': { scope: 'project' },
  'PUT /api/v1/projects/:projectID/meta-events/:metaEventID/resend': { scope: 'project' },
  // Convoy routes Flotilla answers 501 (unsupported-convoy-routes.controller.ts): still guarded.
  'POST /api/v1/projects/:projectID/endpoints/oauth2/test': { scope: 'project', unsupported: true },
  'GET /api/v1/projects/:projectID/endpoints/period-failure-rates': {
    scope: 'project',
    unsupported: true,
  },
  'POST /api/v1/projects/:projectID/event-types/import': { scope: 'project', unsupported: true },
  'POST /api/v1/projects/:projectID/onboard': { scope: 'project', unsupported: true },
  'POST /api/v1/projects/:projectID/sources/test_function': { scope: 'project', unsupported: true },
  'POST /api/v1/projects/:projectID/subscriptions/test_function': {
    scope: 'project',
    unsupported: true,
  },
  'GET /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters': {
    scope: 'project',
    unsupported: true,
  },
  'POST /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters': {
    scope: 'project',
    unsupported: true,
  },
  'POST /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters/bulk': {
    scope: 'project',
    unsupported: true,
  },
  'POST /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters/bulk_update': {
    scope: 'project',
    unsupported: true,
  },
  'PUT /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters/bulk_update': {
    scope: 'project',
    unsupported: true,
  },
  'POST /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters/test/:eventType': {
    scope: 'project',
    unsupported: true,
  },
  'GET /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters/:filterID': {
    scope: 'project',
    unsupported: true,
  },
  'PUT /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters/:filterID': {
    scope: 'project',
    unsupported: true,
  },
  'DELETE /api/v1/projects/:projectID/subscriptions/:subscriptionID/filters/:filterID': {
    scope: 'project',
    unsupported: true,
  },
  'GET /portal-api/portal_link': { scope: 'portal' },
  'GET /portal-api/event-types': { scope: 'portal' },
  'GET /portal-api/endpoints': { scope: 'portal' },
  'GET /portal-api/endpoints/:endpointID': { scope: 'portal' },
  'POST /portal-api/endpoints': {
    scope: 'portal',
    body: () => ({ name: 'intruder', url: 'http://127.0.0.1:9/hook' }),
  },
  'PUT /portal-api/endpoints/:endpointID/expire_secret': {
    scope: 'portal',
    body: () => ({ expiration: 0 }),
  },
  'PUT /portal-api/endpoints/:endpointID/pause': { scope: 'portal' },
  'PUT /portal-api/endpoints/:endpointID': { scope: 'portal', body: () => ({ name: 'hijacked' }) },
  'DELETE /portal-api/endpoints/:endpointID': { scope: 'portal' },
  'GET /portal-api/events': { scope: 'portal' },
  'GET /portal-api/events/:eventID': { scope: 'portal' },
  'GET /portal-api/eventdeliveries': { scope: 'portal' },
  'GET /portal-api/eventdeliveries/:deliveryID': { scope: 'portal' },
  'PUT /portal-api/eventdeliveries/:deliveryID/resend': { scope: 'portal' },
  'GET /portal-api/eventdeliveries/:deliveryID/deliveryattempts': { scope: 'portal' },
  'GET /portal-api/eventdeliveries/:deliveryID/deliveryattempts/:attemptID': { scope: 'portal' },
  'GET /openapi.json': { scope: 'public' },
  'GET /docs': { scope: 'public' },
  'GET /docs/assets/:name': { scope: 'public' },
  'GET /ui': { scope: 'public' },
  'GET /ui/*path': { scope: 'public' },
  'GET /health': { scope: 'public' },
  'GET /health/live': { scope: 'public' },
  'GET /health/ready': { scope: 'public' },
  'GET /metrics': { scope: 'public' },
};

/** One filter at a time, as a caller would narrow a list to another tenant's things. */
const LIST_FILTERS: ((ids: Ids) => string)[] = [
  (ids) => `endpointId=${ids.endpointID}`,
  (ids) => `eventId=${ids.eventID}`,
  (ids) => `subscriptionId=${ids.subscriptionID}`,
  (ids) => `sourceId=${ids.sourceID}`,
  (ids) => `ownerId=${ids.marker}`,
  (ids) => `eventType=${ids.marker}.happened`,
  (ids) => `idempotencyKey=${ids.marker}-idempotency`,
  (ids) => `brokerMessageId=${ids.marker}-message`,
  (ids) => `next_page_cursor=${ids.eventID}`,
  (ids) => `next_page_cursor=${ids.deliveryID}`,
];

/** Nest's `Mapped {/path, METHOD} route` lines, logged by the running service as it maps them. */
function mappedRoutes(service: ServiceProcess): string[] {
  const routes: string[] = [];
  for (const line of service.output.join('').split('\n')) {
    if (!line.startsWith('{')) continue;
    const entry = JSON.parse(line) as { context?: string; msg?: string };
    if (entry.context !== 'RouterExplorer') continue;
    const match = /^Mapped \{(.+), (\w+)\} route$/.exec(entry.msg ?? '');
    if (match) routes.push(`${match[2]} ${match[1]}`);
  }
  return routes;
}

function idsOf(of: Tenant): Ids {
  return {
    projectID: of.project.projectId,
    keyID: of.keyId,
    endpointID: of.endpointId,
    subscriptionID: of.subscriptionId,
    eventID: of.eventId,
    deliveryID: of.deliveryId,
    attemptID: of.attemptId,
    sourceID: of.sourceId,
    eventTypeID: of.eventTypeId,
    portalLinkID: of.portalLinkId,
    maskID: of.maskId,
    metaEventID: of.metaEventId,
    filterID: of.metaEventId,
    eventType: `${of.marker}.happened`,
    marker: of.marker,
  };
}

/**
 * Ids that exist nowhere, shaped like `like`'s: what an answer about another tenant must look
 * like. Row ids are UUIDv7 and cursors are positions in time, so each keeps its model's time
 * (the first 48 bits) and only the random part differs.
 */
function nobodysIds(like: Ids): Ids {
  const ids = Object.fromEntries(
    ID_NAMES.map((name) => {
      const random = randomUUID();
      const value = like[name];
      return [
        name,
        /^[0-9a-f]{8}-[0-9a-f]{4}-7/.test(value) ? value.slice(0, 15) + random.slice(15) : random,
      ];
    }),
  ) as unknown as Ids;
  return { ...ids, marker: `nobody-${randomBytes(4).toString('hex')}` };
}

interface Call {
  method: string;
  path: string;
  body?: unknown;
}

function call(route: string, ids: Ids, query?: string): Call {
  const [method, template] = route.split(' ') as [string, string];
  const spec = ROUTES[route]!;
  const path = template
    .replace('*path', 'index.html')
    .replace(/:(\w+)/g, (_match, name: string) => {
      if (name === 'name') return 'swagger-ui.css';
      if (!(name in ids)) throw new Error(`${route}: no id for :${name}; add it to Ids`);
      return encodeURIComponent(ids[name as keyof Ids]);
    });
  const search = [spec.query?.(ids), query].filter(Boolean).join('&');
  return { method, path: search ? `${path}?${search}` : path, body: spec.body?.(ids) };
}

const describeCall = (c: Call): string => `${c.method} ${c.path}`;

/**
 * An answer with the values of `ids` replaced by their names, and fields that change by
 * themselves (times) dropped: two answers that differ only in which (unknown) ids they were asked
 * about compare equal.
 */
function normalised(response: ApiResponse, ids: Ids): unknown {
  let text = JSON.stringify({ status: response.status, body: response.body });
  for (const name of ID_NAMES) text = text.split(ids[name]).join(`<${name}>`);
  // A thing made by the call has a new id each time.
  const made = response.status === 201;
  return JSON.parse(text, (key, value: unknown) =>
    /_at$|_time$|^time$|^start$|^end$|latency/.test(key) || (made && key === 'uid')
      ? undefined
      : value,
  ) as unknown;
}

/**
 * Tenant isolation, generated from the route table the running ingest-api registered: with
 * project B's key every route of project A is refused, A's ids on B's routes look exactly like
 * ids that exist nowhere, batch operations cannot touch A's deliveries, project keys cannot use
 * the admin token's or a portal's routes, public routes show nothing of a project, and after all
 * of it A's data is as it was.
 */
describe('tenant isolation across the route table', () => {
  let stack: TestStack;
  let api: ServiceProcess;
  let a: Tenant;
  let b: Tenant;
  let tenants: Tenant[] = [];
  let routes: string[];
  const routesOf = (scope: Scope): string[] =>
    routes.filter((route) => ROUTES[route]?.scope === scope && !ROUTES[route].skip);

  beforeAll(async () => {
    stack = await startTestStack(['dispatcher']);
    // Nest logs each route it maps at info level: the route table as the service really has it.
    api = await stack.start('ingest-api', { LOG_LEVEL: 'info' });
    routes = mappedRoutes(api);
    tenants = await Promise.all([createTenant(stack, 'tenant-a'), createTenant(stack, 'tenant-b')]);
    [a, b] = tenants as [Tenant, Tenant];
  });

  afterAll(async () => {
    await stopAll(...tenants.map((tenant) => tenant.receiver), stack);
  });

  /** What A sees of its own project through every read route: must not change. */
  async function viewOfA(): Promise<Record<string, unknown>> {
    const view: Record<string, unknown> = {};
    for (const route of routesOf('project').filter((route) => route.startsWith('GET '))) {
      // Reading refresh_token makes a new token: not a read.
      if (route.endsWith('/refresh_token')) continue;
      const c = call(route, idsOf(a));
      view[route] = normalised(await a.project.api.request(c.method, c.path), idsOf(a));
    }
    view['receiver'] = a.receiver.requests.length;
    return view;
  }

  it('covers every route the service registers, and nothing else', () => {
    expect(routes.length).toBeGreaterThan(80);
    const uncovered = routes.filter((route) => !(route in ROUTES));
    const gone = Object.keys(ROUTES).filter((route) => !routes.includes(route));
    expect({ uncovered, gone }).toEqual({ uncovered: [], gone: [] });
    for (const route of routes) expect(() => call(route, idsOf(a))).not.toThrow();
  });

  it("refuses project B's key on every route of project A (403), and A is unchanged", async () => {
    const before = await viewOfA();
    for (const route of routesOf('project')) {
      const c = call(route, idsOf(a));
      const response = await b.project.api.request(c.method, c.path, c.body);
      expect({ call: describeCall(c), status: response.status }).toEqual({
        call: describeCall(c),
        status: 403,
      });
      expect(response.body.message).toBe('this API key does not give access to that project');
      expectNothingOf(a, response, describeCall(c));
    }
    // A project that does not exist is refused the same way: a key learns nothing about others.
    const unknown = call('GET /api/v1/projects/:projectID/endpoints', nobodysIds(idsOf(a)));
    expect((await b.project.api.get(unknown.path)).status).toBe(403);
    // Pending hand-offs would show as deliveries a moment later.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await viewOfA()).toEqual(before);
  });

  it("answers A's ids on B's own routes exactly as ids that exist nowhere, and A is unchanged", async () => {
    const before = await viewOfA();
    let tried = 0;
    for (const route of routesOf('project').filter((route) => !ROUTES[route]?.unsupported)) {
      const own = idsOf(b);
      const base = call(route, own);
      // Each id of A in turn, in the path, the body or the batch filter; the rest B's own.
      for (const name of ID_NAMES) {
        if (name === 'projectID') continue;
        const withA = call(route, { ...own, [name]: idsOf(a)[name] });
        if (JSON.stringify(withA) === JSON.stringify(base)) continue;
        const nobody = nobodysIds(idsOf(a));
        const withNobody = call(route, { ...own, [name]: nobody[name] });
        const answerA = await b.project.api.request(withA.method, withA.path, withA.body);
        const answerNobody = await b.project.api.request(
          withNobody.method,
          withNobody.path,
          withNobody.body,
        );
        tried += 1;
        expect(answerA.status).toBeLessThan(500);
        expectNothingOf(a, answerA, describeCall(withA), JSON.stringify(withA));
        expect({ call: describeCall(withA), answer: normalised(answerA, idsOf(a)) }).toEqual({
          call: describeCall(withA),
          answer: normalised(answerNobody, nobody),
        });
        // An id in the path that is not B's is never found.
        if (route.includes(`:${name}`)) expect(answerA.status).toBe(404);
      }
    }
    // Lists and counts, narrowed by one filter naming A's things, show what an unknown id shows.
    for (const route of routesOf('project').filter(
      (route) => route.startsWith('GET ') && !/:(?!projectID)\w+/.test(route),
    )) {
      for (const filter of LIST_FILTERS) {
        const nobody = nobodysIds(idsOf(a));
        const withA = call(route, idsOf(b), filter(idsOf(a)));
        const withNobody = call(route, idsOf(b), filter(nobody));
        const answerA = await b.project.api.request(withA.method, withA.path);
        const answerNobody = await b.project.api.request(withNobody.method, withNobody.path);
        tried += 1;
        expect(answerA.status).toBeLessThan(500);
        expectNothingOf(a, answerA, describeCall(withA), JSON.stringify(withA));
        expect({ call: describeCall(withA), answer: normalised(answerA, idsOf(a)) }).toEqual({
          call: describeCall(withA),
          answer: normalised(answerNobody, nobody),
        });
      }
    }
    expect(tried).toBeGreaterThan(100);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await viewOfA()).toEqual(before);
  });

  it("lets replay, resend, retry and batch operations touch none of A's deliveries", async () => {
    const beforeRequests = a.receiver.requests.length;
    const deliveries = `/api/v1/projects/${b.project.projectId}/eventdeliveries`;
    const events = `/api/v1/projects/${b.project.projectId}/events`;
    // An owner id is free text per project: B's fan-out to A's owner reaches none of A's endpoints.
    const fanout = await b.project.api.post(`${events}/fanout`, {
      owner_id: a.marker,
      event_type: 'intruder',
      data: {},
    });
    expect(fanout.status).toBe(201);
    const batch = await b.project.api.post(`${deliveries}/forceresend`, {
      ids: [a.deliveryId, b.deliveryId],
    });
    expect([batch.status, batch.body.data]).toEqual([200, { successes: 1, failures: 1 }]);
    for (const [method, path] of [
      ['PUT', `${deliveries}/${a.deliveryId}/resend`],
      ['PUT', `${events}/${a.eventId}/replay`],
      ['POST', `${deliveries}/batchretry?eventId=${a.eventId}&status=Success`],
      ['POST', `${deliveries}/batchretry?endpointId=${a.endpointId}&status=Success`],
      ['POST', `${events}/batchreplay?endpointId=${a.endpointId}`],
      ['POST', `${events}/batchreplay?sourceId=${a.sourceId}`],
    ] as const) {
      const response = await b.project.api.request(method, path);
      expect({ path, status: response.status }).toEqual({
        path,
        status: method === 'PUT' ? 404 : 200,
      });
      // Both batch operations say how many they took: none of A's.
      if (method === 'POST') expect(response.body.message).toBe('0 successful, 0 failed');
    }
    // B's own resend went out; nothing reached A's receiver.
    await b.receiver.waitForRequests(2, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(a.receiver.requests.length).toBe(beforeRequests);
    const attempts = await a.project.api.expect<unknown[]>(
      200,
      'GET',
      `/api/v1/projects/${a.project.projectId}/eventdeliveries/${a.deliveryId}/deliveryattempts`,
    );
    expect(attempts).toHaveLength(1);
  });

  it("refuses every project key on the admin token's routes, its own project's too", async () => {
    expect(routesOf('admin').length).toBeGreaterThanOrEqual(3);
    for (const route of routesOf('admin')) {
      for (const tenant of [a, b]) {
        const c = call(route, idsOf(a));
        const response = await tenant.project.api.request(c.method, c.path, c.body);
        expect({ call: describeCall(c), status: response.status }).toEqual({
          call: describeCall(c),
          status: 403,
        });
        expect(response.body.message).toMatch(/admin token/);
      }
    }
    expect((await a.project.api.get(`/api/v1/projects/${a.project.projectId}`)).status).toBe(200);
  });

  it("refuses project keys on the portal's routes, and B's portal sees nothing of A", async () => {
    const portalB = new FlotillaApi(api.url, b.portalToken);
    for (const route of routesOf('portal')) {
      const c = call(route, idsOf(a));
      for (const tenant of [a, b]) {
        const response = await tenant.project.api.request(c.method, c.path, c.body);
        expect({ call: describeCall(c), status: response.status }).toEqual({
          call: describeCall(c),
          status: 401,
        });
      }
      // B's portal token with A's ids: unknown to it.
      const answer = await portalB.request(c.method, c.path, c.body);
      expectNothingOf(a, answer, describeCall(c));
      if (/:\w+/.test(route))
        expect({ call: describeCall(c), status: answer.status }).toEqual({
          call: describeCall(c),
          status: 404,
        });
    }
  });

  it('shows nothing of any project on the public routes', async () => {
    for (const route of routesOf('public')) {
      const c = call(route, idsOf(a));
      const response = await fetch(`${api.url}${c.path}`, { method: c.method });
      const text = await response.text();
      expect({ route, status: response.status }).toMatchObject({ route });
      expect(response.status).toBeLessThan(500);
      for (const trace of [a.project.projectId, a.marker, a.endpointId, a.portalToken])
        expect({ route, leaked: text.includes(trace) }).toEqual({ route, leaked: false });
    }
  });
});
