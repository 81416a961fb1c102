import type { EventMessageV1 } from '@flotilla/contracts';
import type { RouteSubscription, RoutingTable } from '@flotilla/db';
import { routeTargets } from './route-targets';

const subscription = (
  id: string,
  endpointId: string,
  status: 'active' | 'inactive',
): RouteSubscription => ({
  id,
  projectId: 'p',
  endpointId,
  sourceId: null,
  eventTypes: ['*'],
  filterHeaders: {},
  filterBody: {},
  status,
});

const table: RoutingTable = {
  endpoints: ['e1', 'e2', 'e3'].map((id) => ({
    id,
    projectId: 'p',
    ownerId: 'o',
    status: 'active' as const,
    ordered: false,
    httpTimeoutSeconds: 10,
  })),
  subscriptions: [
    subscription('s1', 'e1', 'inactive'),
    subscription('s2', 'e2', 'inactive'),
    subscription('s3', 'e2', 'active'),
  ],
};

const event = (target: EventMessageV1['target']): EventMessageV1 => ({
  v: 1,
  event_id: '01900000-0000-7000-8000-000000000001',
  project_id: 'p',
  target,
  event_type: 'order.created',
  data: '{}',
  custom_headers: {},
  accepted_at: new Date(0).toISOString(),
});

describe('routeTargets with toggled-off subscriptions', () => {
  it('routes nothing through an inactive subscription, and no implicit "*" either', () => {
    expect(routeTargets(event({ kind: 'single', endpoint_id: 'e1' }), table)).toEqual([]);
  });

  it('still routes through the endpoint’s active subscriptions; no subscription at all means all', () => {
    expect(routeTargets(event({ kind: 'fanout', owner_id: 'o' }), table)).toEqual([
      { endpointId: 'e2', subscriptionId: 's3' },
      { endpointId: 'e3', subscriptionId: null },
    ]);
  });
});
