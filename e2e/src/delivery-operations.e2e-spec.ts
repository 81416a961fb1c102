import {
  createEndpoint,
  createProject,
  createSubscription,
  eventually,
  startTestStack,
  stopAll,
  type DemoProject,
  type TestStack,
  NO_RETRIES,
  UNKNOWN_ID,
  projectPath,
  sendEvent,
  ReceiverPool,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface Delivery {
  uid: string;
  event_id: string;
  status: string;
  metadata: { num_trials: number };
}

interface BatchResult {
  successes: number;
  failures: number;
}

describe('manual delivery operations: resend, force resend, batch retry, replay', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler']);
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  /** The event's (single) delivery once it has reached `status`. */
  function settled(
    project: DemoProject,
    eventId: string,
    status: string,
    trials?: number,
  ): Promise<Delivery> {
    return eventually(async () => {
      const page = await project.api.expect<{ content: Delivery[] }>(
        200,
        'GET',
        projectPath(project, `eventdeliveries?eventId=${eventId}`),
      );
      expect(page.content).toHaveLength(1);
      expect(page.content[0]!.status).toBe(status);
      if (trials !== undefined) expect(page.content[0]!.metadata.num_trials).toBe(trials);
      return page.content[0]!;
    }, 30_000);
  }

  async function httpStatuses(project: DemoProject, deliveryId: string): Promise<string[]> {
    const attempts = await project.api.expect<{ http_status: string }[]>(
      200,
      'GET',
      projectPath(project, `eventdeliveries/${deliveryId}/deliveryattempts`),
    );
    return attempts.map((attempt) => attempt.http_status);
  }

  /** Waits a little to show that nothing more arrives. */
  const quiet = (ms = 1500): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('resends a failed delivery now; it succeeds with its attempt history kept', async () => {
    const project = await createProject(stack.admin, 'resend', NO_RETRIES);
    const target = await receivers.start((_request, index) => ({
      status: index === 0 ? 500 : 200,
    }));
    const endpoint = await createEndpoint(project, { name: 'fails-once', url: target.url });
    const eventId = await sendEvent(project, endpoint.uid, { n: 1 });
    const failed = await settled(project, eventId, 'Failure', 1);

    const resent = await project.api.request<Delivery>(
      'PUT',
      projectPath(project, `eventdeliveries/${failed.uid}/resend`),
    );
    expect(resent.status).toBe(200);
    expect(resent.body.data).toMatchObject({ uid: failed.uid, status: 'Scheduled' });

    const requests = await target.waitForRequests(2);
    expect(requests[1]!.body).toBe(requests[0]!.body);
    expect(requests[1]!.headers['webhook-id']).toBe(requests[0]!.headers['webhook-id']);
    await settled(project, eventId, 'Success', 2);
    expect(await httpStatuses(project, failed.uid)).toEqual(['500', '200']);
  });

  it('refuses to resend a success (400, use forceresend); force resend sends it again', async () => {
    const project = await createProject(stack.admin, 'force', NO_RETRIES);
    const other = await createProject(stack.admin, 'force-other', NO_RETRIES);
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, { name: 'ok', url: target.url });
    const otherEndpoint = await createEndpoint(other, {
      name: 'ok',
      url: (await receivers.start()).url,
    });
    const delivered = await settled(
      project,
      await sendEvent(project, endpoint.uid, { n: 1 }),
      'Success',
      1,
    );
    const otherDelivery = await settled(
      other,
      await sendEvent(other, otherEndpoint.uid, { n: 1 }),
      'Success',
      1,
    );

    const refused = await project.api.request(
      'PUT',
      projectPath(project, `eventdeliveries/${delivered.uid}/resend`),
    );
    expect(refused.status).toBe(400);
    expect(refused.body.message).toContain('forceresend');

    // Another project's delivery and an unknown id are simply not found here.
    const forced = await project.api.post<BatchResult>(
      projectPath(project, 'eventdeliveries/forceresend'),
      {
        ids: [delivered.uid, otherDelivery.uid, UNKNOWN_ID],
      },
    );
    expect(forced.status).toBe(200);
    expect(forced.body.data).toEqual({ successes: 1, failures: 2 });
    expect(forced.body.message).toBe('1 successful, 2 failed');
    await target.waitForRequests(2);
    await settled(project, delivered.event_id, 'Success', 2);
    await settled(other, otherDelivery.event_id, 'Success', 1);
  });

  it('batch retry resends every failed delivery of the project and nothing else; the count agrees', async () => {
    const project = await createProject(stack.admin, 'batch-retry', NO_RETRIES);
    const other = await createProject(stack.admin, 'batch-retry-other', NO_RETRIES);
    const failing = await receivers.start(() => ({ status: 500 }));
    const healthy = await receivers.start();
    const otherFailing = await receivers.start(() => ({ status: 500 }));
    const down = await createEndpoint(project, { name: 'down', url: failing.url });
    const up = await createEndpoint(project, { name: 'up', url: healthy.url });
    const otherDown = await createEndpoint(other, { name: 'down', url: otherFailing.url });
    const failedEvents = await Promise.all(
      [1, 2, 3].map((n) => sendEvent(project, down.uid, { n })),
    );
    const okEvent = await sendEvent(project, up.uid, { n: 4 });
    const otherEvent = await sendEvent(other, otherDown.uid, { n: 5 });
    for (const id of failedEvents) await settled(project, id, 'Failure', 1);
    await settled(project, okEvent, 'Success', 1);
    await settled(other, otherEvent, 'Failure', 1);

    const count = await project.api.expect<{ num: number }>(
      200,
      'GET',
      projectPath(project, 'eventdeliveries/countbatchretryevents?status=Failure'),
    );
    expect(count).toEqual({ num: 3 });
    // Without a status, a batch retry takes the failures; narrowing by endpoint works too.
    expect(
      await project.api.expect(
        200,
        'GET',
        projectPath(project, 'eventdeliveries/countbatchretryevents'),
      ),
    ).toEqual({ num: 3 });
    expect(
      await project.api.expect(
        200,
        'GET',
        projectPath(project, `eventdeliveries/countbatchretryevents?endpointId=${up.uid}`),
      ),
    ).toEqual({ num: 0 });
    const hour = 3600_000;
    const window = (from: number, to: number): string =>
      `eventdeliveries/countbatchretryevents?startDate=${new Date(from).toISOString()}&endDate=${new Date(to).toISOString()}`;
    expect(
      await project.api.expect(
        200,
        'GET',
        projectPath(project, window(Date.now() - hour, Date.now() + hour)),
      ),
    ).toEqual({ num: 3 });
    expect(
      await project.api.expect(
        200,
        'GET',
        projectPath(project, window(Date.now() + hour, Date.now() + 2 * hour)),
      ),
    ).toEqual({ num: 0 });

    failing.respondWith(() => ({ status: 200 }));
    const retried = await project.api.post<BatchResult>(
      projectPath(project, 'eventdeliveries/batchretry?status=Failure'),
    );
    expect(retried.status).toBe(200);
    expect(retried.body.data).toEqual({ successes: 3, failures: 0 });
    await failing.waitForRequests(6);
    for (const id of failedEvents) await settled(project, id, 'Success', 2);
    await quiet();
    expect(healthy.requests).toHaveLength(1);
    expect(otherFailing.requests).toHaveLength(1);
    await settled(other, otherEvent, 'Failure', 1);
    expect(
      await project.api.expect(
        200,
        'GET',
        projectPath(project, 'eventdeliveries/countbatchretryevents'),
      ),
    ).toEqual({ num: 0 });
  });

  it('replays an event: its delivery goes out again, successful or not', async () => {
    const project = await createProject(stack.admin, 'replay', NO_RETRIES);
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, { name: 'ok', url: target.url });
    const eventId = await sendEvent(project, endpoint.uid, { replay: true });
    await settled(project, eventId, 'Success', 1);

    const replayed = await project.api.request<{ uid: string }>(
      'PUT',
      projectPath(project, `events/${eventId}/replay`),
    );
    expect(replayed.status).toBe(200);
    expect(replayed.body.data.uid).toBe(eventId);
    const [first, second] = await target.waitForRequests(2);
    expect(second!.body).toBe(first!.body);
    await settled(project, eventId, 'Success', 2);
  });

  it('replays an event that had no delivery by routing it again with the same id', async () => {
    const project = await createProject(stack.admin, 'replay-unrouted', NO_RETRIES);
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, { name: 'late', url: target.url });
    // A broadcast reaches only subscribed endpoints, and there is no subscription yet.
    const { uid: eventId } = await project.api.expect<{ uid: string }>(
      201,
      'POST',
      projectPath(project, 'events/broadcast'),
      {
        event_type: 'late.subscriber',
        data: { n: 1 },
      },
    );
    await eventually(() =>
      project.api.expect(200, 'GET', projectPath(project, `events/${eventId}`)),
    );
    await createSubscription(project, {
      name: 'all',
      endpoint_id: endpoint.uid,
      filter_config: { event_types: ['*'] },
    });
    await quiet(1500); // the route stage's routing cache lives 1 s

    await project.api.expect(200, 'PUT', projectPath(project, `events/${eventId}/replay`));
    const [request] = await target.waitForRequests(1);
    expect(JSON.parse(request!.body)).toEqual({ n: 1 });
    const delivery = await settled(project, eventId, 'Success', 1);
    expect(delivery.event_id).toBe(eventId);
  });

  it('batch replay resends every event of a type and no other', async () => {
    const project = await createProject(stack.admin, 'batch-replay', NO_RETRIES);
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, { name: 'ok', url: target.url });
    const paid = await Promise.all(
      [1, 2].map((n) => sendEvent(project, endpoint.uid, { n }, 'order.paid')),
    );
    const refunded = await sendEvent(project, endpoint.uid, { n: 3 }, 'order.refunded');
    for (const id of [...paid, refunded]) await settled(project, id, 'Success', 1);

    const replayed = await project.api.post<string>(
      projectPath(project, 'events/batchreplay?eventType=order.paid'),
    );
    // Convoy's BatchReplayEvents: "n successful, m failed" (its reference types data a string).
    expect([replayed.status, replayed.body.data]).toEqual([200, '2 successful, 0 failed']);
    await target.waitForRequests(5);
    for (const id of paid) await settled(project, id, 'Success', 2);
    await quiet();
    expect(target.requests).toHaveLength(5);
    await settled(project, refunded, 'Success', 1);
  });

  // Convoy's CountAffectedEvents (api/handlers/event.go) answers {num} for the batch replay filters.
  it('counts the events a batch replay with the same filters would take', async () => {
    const project = await createProject(stack.admin, 'count-replay', NO_RETRIES);
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, { name: 'ok', url: target.url });
    for (const n of [1, 2]) await sendEvent(project, endpoint.uid, { n }, 'order.paid');
    await sendEvent(project, endpoint.uid, { n: 3 }, 'order.refunded');
    const count = (query: string) =>
      project.api.expect<{ num: number }>(
        200,
        'GET',
        projectPath(project, `events/countbatchreplayevents${query}`),
      );
    await eventually(async () => {
      expect(await count('')).toEqual({ num: 3 });
    });
    expect(await count('?eventType=order.paid')).toEqual({ num: 2 });
    expect(await count(`?endpointId=${UNKNOWN_ID}`)).toEqual({ num: 0 });
  });

  it('answers 404 for unknown ids', async () => {
    const project = await createProject(stack.admin, 'not-found');
    for (const [method, rest] of [
      ['PUT', `eventdeliveries/${UNKNOWN_ID}/resend`],
      ['PUT', 'eventdeliveries/not-a-uuid/resend'],
      ['PUT', `events/${UNKNOWN_ID}/replay`],
      ['PUT', 'events/not-a-uuid/replay'],
    ] as const) {
      const response = await project.api.request(method, projectPath(project, rest));
      expect({ rest, status: response.status, ok: response.body.status }).toEqual({
        rest,
        status: 404,
        ok: false,
      });
    }
  });

  it('answers 400 naming the field for bad bodies and filters', async () => {
    const project = await createProject(stack.admin, 'bad-input');
    const cases: [string, string, unknown, string][] = [
      ['POST', 'eventdeliveries/forceresend', { ids: [] }, 'ids'],
      ['POST', 'eventdeliveries/forceresend', { ids: ['not-a-uuid'] }, 'ids.0'],
      ['POST', 'eventdeliveries/forceresend', {}, 'ids'],
      ['POST', 'eventdeliveries/forceresend', undefined, 'body'],
      ['POST', 'eventdeliveries/batchretry?status=Nope', undefined, 'status'],
      ['POST', 'eventdeliveries/batchretry?endpointId=not-a-uuid', undefined, 'endpointId'],
      ['GET', 'eventdeliveries/countbatchretryevents?startDate=yesterday', undefined, 'startDate'],
      ['POST', 'events/batchreplay?endpointId=not-a-uuid', undefined, 'endpointId'],
    ];
    for (const [method, rest, body, field] of cases) {
      const response = await project.api.request<{ field?: string }>(
        method,
        projectPath(project, rest),
        body,
      );
      expect({ rest, status: response.status, field: response.body.data.field }).toEqual({
        rest,
        status: 400,
        field,
      });
    }
  });

  it('refuses another project’s key (403)', async () => {
    const project = await createProject(stack.admin, 'owner');
    const intruder = await createProject(stack.admin, 'intruder');
    const asIntruder = intruder.api;
    for (const [method, rest, body] of [
      ['PUT', `eventdeliveries/${UNKNOWN_ID}/resend`, undefined],
      ['POST', 'eventdeliveries/forceresend', { ids: [UNKNOWN_ID] }],
      ['POST', 'eventdeliveries/batchretry', undefined],
      ['GET', 'eventdeliveries/countbatchretryevents', undefined],
      ['PUT', `events/${UNKNOWN_ID}/replay`, undefined],
      ['POST', 'events/batchreplay', undefined],
    ] as const) {
      const response = await asIntruder.request(method, projectPath(project, rest), body);
      expect({ rest, status: response.status }).toEqual({ rest, status: 403 });
    }
  });
});
