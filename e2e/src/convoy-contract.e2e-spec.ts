import {
  createEndpoint,
  eventually,
  startTestStack,
  stopAll,
  type TestStack,
} from '@flotilla/testing';
import {
  compatibilityTable,
  convoyOperations,
  convoyValidator,
  missingFields,
  operationKey,
  type ConvoyOperation,
} from './support/convoy-contract/convoy-contract';
import { createTenant, type Tenant } from './support/tenants';

jest.setTimeout(300_000);

/**
 * Every operation of Convoy's published API reference (frain-dev/convoy `docs/v3/openapi3.json`),
 * called as a client generated from that document would call it: the answer must carry Convoy's
 * success status, and its `data` must parse with Convoy's schema. Fields Convoy documents that
 * Flotilla leaves out, and operations Flotilla does not support, must be the ones listed in
 * docs/convoy-compatibility.md, so that document stays true.
 */

/** The path parameters of Convoy's routes, filled from one tenant's objects. */
type Ids = Record<string, string>;

interface Call {
  /** Who calls: the project's key (default) or the instance admin. */
  as?: 'admin';
  body?: (ids: Ids) => unknown;
  query?: (ids: Ids) => string;
  /** Makes a throwaway object first (for deletes and other one-way operations): its ids. */
  prepare?: (world: World) => Promise<Ids>;
}

interface World {
  stack: TestStack;
  tenant: Tenant;
  ids: Ids;
}

const projectBase = (world: World): string => `/api/v1/projects/${world.tenant.project.projectId}`;

async function freshEndpoint(world: World): Promise<Ids> {
  const endpoint = await createEndpoint(world.tenant.project, {
    name: 'throwaway',
    url: world.tenant.receiver.url,
  });
  return { endpointID: endpoint.uid };
}

/** What a Convoy client sends for each operation (Convoy's request models, `api/models`). */
const CALLS: Record<string, Call> = {
  'GET /api/v1/projects': { as: 'admin' },
  'POST /api/v1/projects': {
    as: 'admin',
    body: () => ({ name: 'contract', type: 'outgoing', config: {} }),
  },
  'DELETE /api/v1/projects/{projectID}': {
    as: 'admin',
    prepare: async ({ stack }) => {
      const created = await stack.admin.expect<{ project: { uid: string } }>(
        201,
        'POST',
        '/api/v1/projects',
        { name: 'throwaway' },
      );
      return { projectID: created.project.uid };
    },
  },
  'PUT /api/v1/projects/{projectID}': { body: () => ({ name: 'contract renamed' }) },
  'POST /api/v1/projects/{projectID}/endpoints': {
    body: () => ({ name: 'contract', url: 'http://127.0.0.1:9/hook', owner_id: 'contract' }),
  },
  'PUT /api/v1/projects/{projectID}/endpoints/{endpointID}': {
    body: () => ({ name: 'contract renamed', url: 'http://127.0.0.1:9/hook' }),
  },
  'DELETE /api/v1/projects/{projectID}/endpoints/{endpointID}': { prepare: freshEndpoint },
  'PUT /api/v1/projects/{projectID}/endpoints/{endpointID}/expire_secret': {
    prepare: freshEndpoint,
    body: () => ({ expiration: 1 }),
  },
  'PUT /api/v1/projects/{projectID}/endpoints/{endpointID}/pause': { prepare: freshEndpoint },
  'POST /api/v1/projects/{projectID}/endpoints/{endpointID}/activate': { prepare: freshEndpoint },
  'POST /api/v1/projects/{projectID}/event-types': {
    body: () => ({ name: 'contract.created', description: 'made by the contract test' }),
  },
  'PUT /api/v1/projects/{projectID}/event-types/{eventTypeId}': {
    body: () => ({ description: 'described again' }),
  },
  'POST /api/v1/projects/{projectID}/eventdeliveries/forceresend': {
    body: (ids) => ({ ids: [ids['eventDeliveryID']] }),
  },
  'POST /api/v1/projects/{projectID}/eventdeliveries/batchretry': {
    query: (ids) => `eventId=${ids['eventID']}&status=Success`,
  },
  'POST /api/v1/projects/{projectID}/events': {
    body: (ids) => ({
      endpoint_id: ids['endpointID'],
      event_type: 'contract.created',
      data: { n: 1 },
      custom_headers: { 'x-contract': 'yes' },
    }),
  },
  'POST /api/v1/projects/{projectID}/events/fanout': {
    body: (ids) => ({ owner_id: ids['ownerID'], event_type: 'contract.created', data: { n: 1 } }),
  },
  'POST /api/v1/projects/{projectID}/events/broadcast': {
    body: () => ({ event_type: 'contract.created', data: { n: 1 } }),
  },
  'POST /api/v1/projects/{projectID}/events/dynamic': {
    body: () => ({ url: 'http://127.0.0.1:9/dynamic', event_type: 'contract.created', data: {} }),
  },
  'POST /api/v1/projects/{projectID}/events/batchreplay': {
    query: (ids) => `endpointId=${ids['endpointID']}`,
  },
  'GET /api/v1/projects/{projectID}/events/countbatchreplayevents': {
    query: (ids) => `endpointId=${ids['endpointID']}`,
  },
  'POST /api/v1/projects/{projectID}/portal-links': {
    body: (ids) => ({ name: 'contract', endpoints: [ids['endpointID']] }),
  },
  'PUT /api/v1/projects/{projectID}/portal-links/{portalLinkID}': {
    body: (ids) => ({ name: 'contract renamed', endpoints: [ids['endpointID']] }),
  },
  'POST /api/v1/projects/{projectID}/sources': {
    body: () => ({ name: 'contract', type: 'http', verifier: { type: 'noop' } }),
  },
  'PUT /api/v1/projects/{projectID}/sources/{sourceID}': {
    // Convoy's UpdateSource requires name and type (api/models/source.go).
    body: () => ({ name: 'contract renamed', type: 'pub_sub' }),
  },
  'DELETE /api/v1/projects/{projectID}/sources/{sourceID}': {
    prepare: async (world) => {
      const source = await world.tenant.project.api.expect<{ uid: string }>(
        201,
        'POST',
        `${projectBase(world)}/sources`,
        { name: 'throwaway', type: 'http', verifier: { type: 'noop' } },
      );
      return { sourceID: source.uid };
    },
  },
  'POST /api/v1/projects/{projectID}/subscriptions': {
    body: (ids) => ({ name: 'contract', endpoint_id: ids['endpointID'] }),
  },
  'PUT /api/v1/projects/{projectID}/subscriptions/{subscriptionID}': {
    body: (ids) => ({ name: 'contract renamed', endpoint_id: ids['endpointID'] }),
  },
  'DELETE /api/v1/projects/{projectID}/subscriptions/{subscriptionID}': {
    prepare: async (world) => {
      const { endpointID } = await freshEndpoint(world);
      const subscription = await world.tenant.project.api.expect<{ uid: string }>(
        201,
        'POST',
        `${projectBase(world)}/subscriptions`,
        { name: 'throwaway', endpoint_id: endpointID },
      );
      return { subscriptionID: subscription.uid };
    },
  },
  'POST /api/v1/projects/{projectID}/subscriptions/test_filter': {
    body: () => ({
      request: { header: { 'x-a': '1' }, body: { n: 1 } },
      schema: { header: { 'x-a': '1' }, body: { n: 1 } },
    }),
  },
  'POST /api/v1/projects/{projectID}/subscriptions/{subscriptionID}/filters': {
    body: () => ({ event_type: 'contract.created', headers: {}, body: { n: 1 } }),
  },
  'POST /api/v1/projects/{projectID}/subscriptions/{subscriptionID}/filters/bulk': {
    body: () => [{ event_type: 'contract.bulk', headers: {}, body: {} }],
  },
  'PUT /api/v1/projects/{projectID}/subscriptions/{subscriptionID}/filters/bulk_update': {
    body: (ids) => [{ uid: ids['filterID'], event_type: 'contract.created', body: { n: 2 } }],
  },
  'PUT /api/v1/projects/{projectID}/subscriptions/{subscriptionID}/filters/{filterID}': {
    body: () => ({ body: { n: 3 } }),
  },
  'POST /api/v1/projects/{projectID}/subscriptions/{subscriptionID}/filters/test/{eventType}': {
    body: () => ({ payload: { n: 3 } }),
  },
};

/** Operations that end something (deletes, revokes) run after the rest, so the rest find it. */
const isFinal = (operation: ConvoyOperation): boolean =>
  operation.method === 'DELETE' || operation.path.endsWith('/revoke');

interface Verdict {
  verdict: string;
  /** The success status Flotilla answers. */
  status: number;
  notes: string;
}

/** docs/convoy-compatibility.md's verdict for each Convoy route. */
const verdicts = new Map(
  compatibilityTable("Routes of Convoy's API reference").map(
    ([route = '', verdict = '', status = '', notes = '']): [string, Verdict] => [
      route,
      { verdict, status: Number(status), notes },
    ],
  ),
);
const unfilledFields = new Set(
  compatibilityTable('Fields Flotilla leaves out').map(([field]) => field ?? ''),
);
const isUnsupported = (operation: ConvoyOperation): boolean =>
  verdicts.get(operationKey(operation))?.verdict === 'not supported';
const supported = convoyOperations.filter((operation) => !isUnsupported(operation));
const unsupported = convoyOperations.filter(isUnsupported);

function fillPath(template: string, ids: Ids): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = ids[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}

describe("Convoy's published API contract", () => {
  let stack: TestStack;
  let world: World;
  const missingSeen = new Set<string>();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    const tenant = await createTenant(stack, 'contract');
    const api = tenant.project.api;
    const base = `/api/v1/projects/${tenant.project.projectId}`;
    // Meta events to the tenant's receiver, so the log has one to read and resend.
    await api.expect(202, 'PUT', base, {
      config: { meta_event: { is_enabled: true, url: tenant.receiver.url } },
    });
    await createEndpoint(tenant.project, { name: 'meta', url: tenant.receiver.url });
    // Meta events are sent (and logged) after the endpoint is created: wait for the first.
    const metaEventID = await eventually(async () => {
      const page = await api.request<{ content: { uid: string }[] }>('GET', `${base}/meta-events`);
      if (page.status !== 200) return 'none';
      const uid = page.body.data.content[0]?.uid;
      expect(uid).toBeDefined();
      return uid ?? 'none';
    }, 20_000);
    const filter = await api.request<{ uid: string }>(
      'POST',
      `${base}/subscriptions/${tenant.subscriptionId}/filters`,
      { event_type: 'contract.filtered', headers: {}, body: {} },
    );
    world = {
      stack,
      tenant,
      ids: {
        projectID: tenant.project.projectId,
        endpointID: tenant.endpointId,
        ownerID: tenant.marker,
        eventID: tenant.eventId,
        eventDeliveryID: tenant.deliveryId,
        deliveryAttemptID: tenant.attemptId,
        subscriptionID: tenant.subscriptionId,
        sourceID: tenant.sourceId,
        portalLinkID: tenant.portalLinkId,
        eventTypeId: tenant.eventTypeId,
        eventType: 'contract.filtered',
        metaEventID,
        filterID: filter.status === 201 ? filter.body.data.uid : 'none',
      },
    };
  });

  afterAll(async () => {
    await stopAll(world.tenant.receiver, stack);
  });

  it('lists every operation of the reference in docs/convoy-compatibility.md', () => {
    const unlisted = convoyOperations.map(operationKey).filter((key) => !verdicts.has(key));
    expect(unlisted).toEqual([]);
  });

  // Where Convoy's server and its reference disagree, clients see the server: the row says so.
  it('answers the reference’s status wherever Convoy’s handler does', () => {
    const unexplained = supported
      .filter((operation) => verdicts.get(operationKey(operation))?.status !== operation.status)
      .filter(
        (operation) => !/Convoy's handler/.test(verdicts.get(operationKey(operation))?.notes ?? ''),
      )
      .map(operationKey);
    expect(unexplained).toEqual([]);
  });

  it.each(
    [...supported.filter((op) => !isFinal(op)), ...supported.filter(isFinal)].map(
      (operation) => [operationKey(operation), operation] as const,
    ),
  )('%s answers with Convoy’s status and shape', async (_key, operation) => {
    const call = CALLS[operationKey(operation)] ?? {};
    const ids = { ...world.ids, ...(call.prepare ? await call.prepare(world) : {}) };
    const api = call.as === 'admin' ? world.stack.admin : world.tenant.project.api;
    const query = call.query ? `?${call.query(ids)}` : '';
    const response = await api.request(
      operation.method,
      `${fillPath(operation.path, ids)}${query}`,
      call.body?.(ids),
    );
    // The message is shown when the status is not the documented one.
    expect({ status: response.status, message: response.body.message }).toEqual({
      status: verdicts.get(operationKey(operation))?.status,
      message: expect.any(String) as string,
    });
    expect(response.body.status).toBe(true);
    const validate = convoyValidator(operation);
    validate(response.body.data);
    expect(validate.errors ?? []).toEqual([]);
    const missing = missingFields(operation, response.body.data);
    for (const field of missing) missingSeen.add(field);
    expect(missing.filter((field) => !unfilledFields.has(field))).toEqual([]);
  });

  it.each(unsupported.map((operation) => [operationKey(operation), operation] as const))(
    '%s answers 501 saying why it is not supported',
    async (_key, operation) => {
      const ids = { ...world.ids };
      const response = await world.tenant.project.api.request(
        operation.method,
        fillPath(operation.path, ids),
        {},
      );
      expect(response.status).toBe(501);
      expect(response.body.status).toBe(false);
      expect(response.body.message).toMatch(/not supported/);
    },
  );

  // Runs after the calls above (jest keeps the order of a file's tests).
  it('lists only fields that Flotilla really leaves out', () => {
    const listedButFilled = [...unfilledFields].filter((field) => !missingSeen.has(field));
    expect(listedButFilled).toEqual([]);
  });
});
