import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { newId } from '@flotilla/contracts';
import {
  createEndpoint,
  createProject,
  createSource,
  createSubscription,
  eventually,
  WebhookReceiver,
  type ApiResponse,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

/**
 * One tenant with something of every kind (and its own receiver), so another tenant has ids of
 * every kind to try and a count of what this one's receiver got.
 */
export interface Tenant {
  project: DemoProject;
  /** In every name this tenant gives, so its data is recognisable in another tenant's answers. */
  marker: string;
  receiver: WebhookReceiver;
  endpointId: string;
  subscriptionId: string;
  eventId: string;
  deliveryId: string;
  attemptId: string;
  sourceId: string;
  maskId: string;
  keyId: string;
  failureId: string;
  eventTypeId: string;
  portalLinkId: string;
  portalToken: string;
  metaEventId: string;
}

interface KeyView {
  uid: string;
  key: string;
}

export async function createTenant(stack: TestStack, label: string): Promise<Tenant> {
  const marker = `${label}-${randomBytes(4).toString('hex')}`;
  const receiver = await WebhookReceiver.start();
  const project = await createProject(stack.admin, marker);
  const base = `/api/v1/projects/${project.projectId}`;
  const endpoint = await createEndpoint(project, {
    name: `${marker} endpoint`,
    url: receiver.url,
    owner_id: marker,
  });
  const subscription = await createSubscription(project, {
    name: `${marker} subscription`,
    endpoint_id: endpoint.uid,
  });
  const event = await project.api.expect<{ uid: string }>(201, 'POST', `${base}/events`, {
    endpoint_id: endpoint.uid,
    event_type: `${marker}.happened`,
    data: { marker },
    idempotency_key: `${marker}-idempotency`,
  });
  const delivery = await eventually(async () => {
    const page = await project.api.expect<{ content: { uid: string; status: string }[] }>(
      200,
      'GET',
      `${base}/eventdeliveries?eventId=${event.uid}`,
    );
    expect(page.content[0]?.status).toBe('Success');
    return page.content[0]!;
  }, 30_000);
  const attempts = await project.api.expect<{ uid: string }[]>(
    200,
    'GET',
    `${base}/eventdeliveries/${delivery.uid}/deliveryattempts`,
  );
  const source = await createSource(project, {
    name: `${marker} source`,
    type: 'pub_sub',
    // No ingester runs here: the queue is never contacted.
    pub_sub: {
      type: 'sqs',
      workers: 1,
      sqs: {
        queue_name: marker,
        default_region: 'us-east-1',
        access_key_id: 'AKIDEXAMPLE',
        secret_key: 'secret',
      },
    },
  });
  const incoming = await project.api.expect<{ mask_id: string }>(201, 'POST', `${base}/sources`, {
    name: `${marker} incoming`,
    type: 'http',
    verifier: { type: 'noop' },
  });
  const key = await project.api.expect<KeyView>(201, 'POST', `${base}/keys`, {
    name: `${marker} key`,
  });
  const eventType = await project.api.expect<{ uid: string }>(201, 'POST', `${base}/event-types`, {
    name: `${marker}.happened`,
    description: `${marker} description`,
  });
  const portalLink = await project.api.expect<{ uid: string; token: string }>(
    201,
    'POST',
    `${base}/portal-links`,
    { name: `${marker} portal`, owner_id: marker },
  );
  // Ingest failures come from broker ingesters, which the stack does not run: one row as an
  // ingester would record it.
  const failureId = randomUUID();
  // A meta event as the queue records one after sending it (this tenant sends none itself, so
  // that its receiver counts only its deliveries).
  const metaEventId = newId();
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    await db.query(
      `INSERT INTO ingest_failures (id, project_id, source_id, broker_message_id, reason, detail, payload, payload_bytes)
       VALUES ($1, $2, $3, $4, 'malformed_json', $5, $6, 3)`,
      [failureId, project.projectId, source.uid, `${marker}-message`, `${marker} detail`, '{x}'],
    );
    await db.query(
      `INSERT INTO meta_events (id, project_id, event_type, payload, status)
       VALUES ($1, $2, 'endpoint.created', $3, 'Success')`,
      [
        metaEventId,
        project.projectId,
        JSON.stringify({ uid: metaEventId, event_type: 'endpoint.created', data: { marker } }),
      ],
    );
  } finally {
    await db.end();
  }
  return {
    project,
    marker,
    receiver,
    endpointId: endpoint.uid,
    subscriptionId: subscription.uid,
    eventId: event.uid,
    deliveryId: delivery.uid,
    attemptId: attempts[0]!.uid,
    sourceId: source.uid,
    maskId: incoming.mask_id,
    keyId: key.uid,
    failureId,
    eventTypeId: eventType.uid,
    portalLinkId: portalLink.uid,
    portalToken: portalLink.token,
    metaEventId,
  };
}

/** Everything that identifies a tenant or its data (ids, names, secrets). */
export function tracesOf(of: Tenant): string[] {
  return [
    of.project.projectId,
    of.project.apiKey,
    of.marker,
    of.endpointId,
    of.subscriptionId,
    of.eventId,
    of.deliveryId,
    of.attemptId,
    of.sourceId,
    of.maskId,
    of.keyId,
    of.failureId,
    of.eventTypeId,
    of.portalLinkId,
    of.portalToken,
  ];
}

/**
 * Nothing of `of` in an answer. What the caller sent (`sent`: its path and body) may be echoed
 * back, such as the id in a "not found" message; the tenant's data never is.
 */
export function expectNothingOf(
  of: Tenant,
  response: ApiResponse,
  context: string,
  sent = '',
): void {
  const text = JSON.stringify(response.body);
  const echoed = response.status === 404 ? response.body.message : '';
  const leaked = tracesOf(of).filter(
    (trace) => text.includes(trace) && !echoed.includes(trace) && !sent.includes(trace),
  );
  expect({ context, leaked }).toEqual({ context, leaked: [] });
}
