import type { EventMessageV1 } from '@flotilla/contracts';
import type { RouteSubscription, RoutingTable } from '@flotilla/db';
import { routeTargets } from './route-targets';

const SOURCE = '01900000-0000-7000-8000-0000000000a1';
const OTHER_SOURCE = '01900000-0000-7000-8000-0000000000a2';
const BROKER_SOURCE = '01900000-0000-7000-8000-0000000000b1';

const subscription = (
  id: string,
  endpointId: string,
  sourceId: string | null,
): RouteSubscription => ({
  id,
  projectId: 'p',
  endpointId,
  sourceId,
  eventTypes: ['*'],
  filterHeaders: {},
  filterBody: {},
  status: 'active',
});

const table: RoutingTable = {
  endpoints: ['e1', 'e2', 'e3', 'e4'].map((id) => ({
    id,
    projectId: 'p',
    ownerId: null,
    status: 'active' as const,
    ordered: false,
    httpTimeoutSeconds: 10,
  })),
  subscriptions: [
    subscription('s1', 'e1', SOURCE),
    subscription('s2', 'e2', OTHER_SOURCE),
    subscription('s3', 'e3', null),
    subscription('s4', 'e4', BROKER_SOURCE),
  ],
  httpSourceIds: new Set([SOURCE, OTHER_SOURCE]),
};

const event = (fields: Partial<EventMessageV1>): EventMessageV1 => ({
  v: 1,
  event_id: '01900000-0000-7000-8000-000000000001',
  project_id: 'p',
  target: { kind: 'broadcast' },
  event_type: 'push',
  data: '{}',
  custom_headers: {},
  accepted_at: new Date(0).toISOString(),
  ...fields,
});

describe('routing incoming webhooks (http sources)', () => {
  it('sends an http source’s events only to the subscriptions naming that source', () => {
    expect(routeTargets(event({ source_id: SOURCE }), table)).toEqual([
      { endpointId: 'e1', subscriptionId: 's1' },
    ]);
  });

  it('keeps subscriptions of http sources out of every other event', () => {
    expect(routeTargets(event({}), table)).toEqual([
      { endpointId: 'e3', subscriptionId: 's3' },
      { endpointId: 'e4', subscriptionId: 's4' },
    ]);
  });

  it('leaves broker-source events routed by their target as before', () => {
    expect(routeTargets(event({ source_id: BROKER_SOURCE }), table)).toEqual([
      { endpointId: 'e3', subscriptionId: 's3' },
      { endpointId: 'e4', subscriptionId: 's4' },
    ]);
  });
});
