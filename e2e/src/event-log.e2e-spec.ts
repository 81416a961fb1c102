import {
  createEndpoint,
  createProject,
  createSubscription,
  eventually,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
  NO_RETRIES,
  UNKNOWN_ID,
  projectPath,
  ReceiverPool,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface Accepted {
  uid: string;
  endpoints: string[];
}

interface EventView {
  uid: string;
  event_type: string;
  endpoints: string[];
  idempotency_key: string;
}

interface DeliveryView {
  uid: string;
  event_id: string;
  endpoint_id: string;
  subscription_id: string;
  event_type: string;
  status: string;
}

interface AttemptView {
  uid: string;
  msg_id: string;
  http_status: string;
}

interface PageView<T> {
  content: T[];
  pagination: {
    per_page: number;
    has_next_page: boolean;
    has_prev_page: boolean;
    next_page_cursor: string;
    prev_page_cursor: string;
  };
}

describe('event log: dynamic events, list filters, cursors, status totals, attempts', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler']);
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  const receiver = (status = 200): Promise<WebhookReceiver> => receivers.start(() => ({ status }));

  const get = <T>(project: DemoProject, rest: string): Promise<T> =>
    project.api.expect<T>(200, 'GET', projectPath(project, rest));

  describe('POST /events/dynamic', () => {
    let project: DemoProject;
    beforeAll(async () => {
      project = await createProject(stack.admin, 'dynamic');
    });

    it('makes an endpoint for the url that receives the event; the same url reuses it', async () => {
      const target = await receiver();
      const url = `${target.url}/orders`;
      const first = await project.api.post<Accepted>(projectPath(project, 'events/dynamic'), {
        url,
        event_type: 'order.created',
        data: { n: 1 },
      });
      expect(first.status).toBe(201);
      expect(first.body.data.endpoints).toHaveLength(1);
      const endpointId = first.body.data.endpoints[0]!;
      const [received] = await target.waitForRequests(1);
      expect(received!.path).toBe('/webhook/orders');
      expect(JSON.parse(received!.body)).toEqual({ n: 1 });

      const second = await project.api.post<Accepted>(projectPath(project, 'events/dynamic'), {
        url,
        event_type: 'order.updated',
        data: { n: 2 },
        idempotency_key: 'dyn-2',
      });
      expect(second.status).toBe(201);
      expect(second.body.data.endpoints).toEqual([endpointId]);
      const requests = await target.waitForRequests(2);
      expect(JSON.parse(requests[1]!.body)).toEqual({ n: 2 });

      const endpoints = await get<PageView<{ uid: string; url: string }>>(
        project,
        'endpoints?perPage=100',
      );
      expect(
        endpoints.content
          .filter((endpoint) => endpoint.url === url)
          .map((endpoint) => endpoint.uid),
      ).toEqual([endpointId]);
    });

    it('routes at once to an endpoint made a moment ago (no stale routing cache)', async () => {
      // An event routed just now has the dispatcher hold this project's routing table (cached 1 s);
      // the endpoint made next is not in it, and its event must still be delivered.
      const warm = await receiver();
      await project.api.expect(201, 'POST', projectPath(project, 'events/dynamic'), {
        url: warm.url,
        event_type: 'x',
        data: { warm: true },
      });
      await warm.waitForRequests(1);
      const fresh = await receiver();
      await project.api.expect(201, 'POST', projectPath(project, 'events/dynamic'), {
        url: fresh.url,
        event_type: 'x',
        data: { fresh: true },
      });
      const [received] = await fresh.waitForRequests(1);
      expect(JSON.parse(received!.body)).toEqual({ fresh: true });
    });

    it('subscribes the endpoint to event_types only', async () => {
      const target = await receiver();
      const skipped = await project.api.expect<Accepted>(
        201,
        'POST',
        projectPath(project, 'events/dynamic'),
        {
          url: target.url,
          event_types: ['invoice.paid'],
          event_type: 'invoice.created',
          data: { skipped: true },
        },
      );
      await project.api.expect(201, 'POST', projectPath(project, 'events/dynamic'), {
        url: target.url,
        event_type: 'invoice.paid',
        data: { sent: true },
      });
      const requests = await target.waitForRequests(1);
      expect(JSON.parse(requests[0]!.body)).toEqual({ sent: true });
      // Events to one endpoint are routed in order: the first was routed, to nobody.
      const deliveries = await get<PageView<DeliveryView>>(
        project,
        `eventdeliveries?eventId=${skipped.uid}`,
      );
      expect(deliveries.content).toEqual([]);
      expect(target.requests).toHaveLength(1);
    });

    it('refuses urls the egress policy forbids, and bodies without a url, naming `url`', async () => {
      for (const url of [
        'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.7/hook',
        'ftp://127.0.0.1/x',
      ]) {
        const refused = await project.api.post(projectPath(project, 'events/dynamic'), {
          url,
          event_type: 'x',
          data: {},
        });
        expect({
          url,
          status: refused.status,
          field: (refused.body.data as { field?: string } | undefined)?.field,
        }).toEqual({
          url,
          status: 400,
          field: 'url',
        });
      }
      const missing = await project.api.post(projectPath(project, 'events/dynamic'), {
        event_type: 'x',
        data: {},
      });
      expect(missing.status).toBe(400);
      expect((missing.body.data as { field: string }).field).toBe('url');
    });
  });

  describe('listing', () => {
    let project: DemoProject;
    let other: DemoProject;
    let okEndpoint: string;
    let failingEndpoint: string;
    let okSubscription: string;
    /** Newest first, as the lists give them. */
    let eventIds: string[];
    let alphaIds: string[];
    let betaIds: string[];
    let keyedId: string;
    let between: { startDate: string; endDate: string; ids: string[] };

    beforeAll(async () => {
      project = await createProject(stack.admin, 'listing', NO_RETRIES);
      other = await createProject(stack.admin, 'listing-other', NO_RETRIES);
      const ok = await receiver(200);
      const failing = await receiver(500);
      okEndpoint = (await createEndpoint(project, { name: 'ok', url: ok.url })).uid;
      failingEndpoint = (await createEndpoint(project, { name: 'failing', url: failing.url })).uid;
      okSubscription = (
        await createSubscription(project, { name: 'ok-all', endpoint_id: okEndpoint })
      ).uid;
      const otherEndpoint = (await createEndpoint(other, { name: 'other', url: ok.url })).uid;

      const send = async (
        endpointId: string,
        eventType: string,
        extra: Record<string, unknown> = {},
      ): Promise<string> =>
        (
          await project.api.expect<Accepted>(201, 'POST', projectPath(project, 'events'), {
            endpoint_id: endpointId,
            event_type: eventType,
            data: { eventType },
            ...extra,
          })
        ).uid;
      const sent: string[] = [];
      // Sequential, so ids (UUIDv7) are in sending order.
      // Date filters have millisecond precision: pauses keep the middle events apart in time.
      const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 15));
      for (let i = 0; i < 7; i += 1) sent.push(await send(okEndpoint, 'alpha'));
      await pause();
      const pauseStart = new Date();
      await pause();
      const middle: string[] = [];
      for (let i = 0; i < 3; i += 1) middle.push(await send(failingEndpoint, 'beta'));
      keyedId = await send(failingEndpoint, 'beta', { idempotency_key: 'listing-key-1' });
      middle.push(keyedId);
      await pause();
      const pauseEnd = new Date();
      await pause();
      sent.push(...middle);
      for (let i = 0; i < 2; i += 1) sent.push(await send(okEndpoint, 'alpha'));
      await other.api.expect(201, 'POST', projectPath(other, 'events'), {
        endpoint_id: otherEndpoint,
        event_type: 'alpha',
        data: {},
      });

      eventIds = [...sent].reverse();
      alphaIds = eventIds.filter((id) => !middle.includes(id));
      betaIds = [...middle].reverse();
      between = {
        startDate: pauseStart.toISOString(),
        endDate: pauseEnd.toISOString(),
        ids: betaIds,
      };

      // Every delivery settled: 9 successes, 4 failures.
      await eventually(async () => {
        const totals = await get<Record<string, number>>(project, 'eventdeliveries/statustotals');
        expect(totals).toMatchObject({ Success: 9, Failure: 4 });
        expect(
          await get<Record<string, number>>(other, 'eventdeliveries/statustotals'),
        ).toMatchObject({ Success: 1 });
      }, 40_000);
    });

    const ids = (page: PageView<{ uid: string }>): string[] => page.content.map((row) => row.uid);

    it('lists events by each filter', async () => {
      expect(ids(await get(project, 'events?perPage=100'))).toEqual(eventIds);
      expect(ids(await get(project, 'events?eventType=beta'))).toEqual(betaIds);
      expect(ids(await get(project, `events?endpointId=${okEndpoint}`))).toEqual(alphaIds);
      // Both spellings of a repeated parameter.
      expect(ids(await get(project, `events?endpointId[]=${failingEndpoint}`))).toEqual(betaIds);
      expect(
        ids(
          await get(
            project,
            `events?endpointId[]=${okEndpoint}&endpointId[]=${failingEndpoint}&perPage=100`,
          ),
        ),
      ).toEqual(eventIds);
      expect(
        ids(
          await get(
            project,
            `events?endpointId=${okEndpoint}&endpointId=${failingEndpoint}&perPage=100`,
          ),
        ),
      ).toEqual(eventIds);
      expect(ids(await get(project, 'events?idempotencyKey=listing-key-1'))).toEqual([keyedId]);
      const range = `startDate=${encodeURIComponent(between.startDate)}&endDate=${encodeURIComponent(between.endDate)}`;
      expect(ids(await get(project, `events?${range}`))).toEqual(between.ids);
      expect(ids(await get(project, `events?${range}&eventType=alpha`))).toEqual([]);
      expect(ids(await get(project, 'events?brokerMessageId=nothing-here'))).toEqual([]);
      expect(ids(await get(project, `events?sourceId=${UNKNOWN_ID}`))).toEqual([]);
      expect(ids(await get(project, 'events?perPage=100&sort=ASC'))).toEqual(
        [...eventIds].reverse(),
      );
      // Filters left empty, as Convoy's clients send them, filter nothing.
      expect(
        ids(await get(project, 'events?perPage=100&eventType=&endpointId=&startDate=&sourceId=')),
      ).toEqual(eventIds);
      expect(ids(await get(project, 'eventdeliveries?perPage=100&status=&eventId='))).toHaveLength(
        eventIds.length,
      );
    });

    it('lists deliveries by each filter', async () => {
      const all = await get<PageView<DeliveryView>>(project, 'eventdeliveries?perPage=100');
      expect(all.content.map((delivery) => delivery.event_id)).toEqual(eventIds);
      const eventsOf = (page: PageView<DeliveryView>): string[] =>
        page.content.map((delivery) => delivery.event_id);
      expect(eventsOf(await get(project, `eventdeliveries?eventId=${keyedId}`))).toEqual([keyedId]);
      expect(eventsOf(await get(project, `eventdeliveries?endpointId=${failingEndpoint}`))).toEqual(
        betaIds,
      );
      expect(
        eventsOf(await get(project, `eventdeliveries?subscriptionId=${okSubscription}`)),
      ).toEqual(alphaIds);
      expect(eventsOf(await get(project, 'eventdeliveries?eventType=alpha'))).toEqual(alphaIds);
      expect(eventsOf(await get(project, 'eventdeliveries?status=Failure'))).toEqual(betaIds);
      expect(
        eventsOf(
          await get(project, 'eventdeliveries?status[]=Failure&status[]=Success&perPage=100'),
        ),
      ).toEqual(eventIds);
      expect(eventsOf(await get(project, 'eventdeliveries?idempotencyKey=listing-key-1'))).toEqual([
        keyedId,
      ]);
      expect(eventsOf(await get(project, 'eventdeliveries?brokerMessageId=nothing-here'))).toEqual(
        [],
      );
      const range = `startDate=${encodeURIComponent(between.startDate)}&endDate=${encodeURIComponent(between.endDate)}`;
      expect(eventsOf(await get(project, `eventdeliveries?${range}`))).toEqual(between.ids);
      expect(eventsOf(await get(project, `eventdeliveries?${range}&status=Success`))).toEqual([]);
    });

    // Convoy's handlers read startDate/endDate with the layout "2006-01-02T15:04:05": no zone,
    // meaning UTC (api/handlers/event.go, getSearchParams).
    it("takes Convoy's zone-less startDate and endDate as UTC", async () => {
      const zoneless = (iso: string): string => iso.replace(/Z$/, '');
      const range = `startDate=${zoneless(between.startDate)}&endDate=${zoneless(between.endDate)}`;
      expect(ids(await get(project, `events?${range}`))).toEqual(between.ids);
      const deliveries = await get<PageView<DeliveryView>>(project, `eventdeliveries?${range}`);
      expect(deliveries.content.map((delivery) => delivery.event_id)).toEqual(between.ids);
      expect(
        ids(await get(project, 'events?startDate=2000-01-01T00:00:00&endDate=2000-01-02T00:00:00')),
      ).toEqual([]);
    });

    // A published Convoy client sends the delivery list's event type filter as `event_type`.
    it('filters deliveries by event_type as by eventType', async () => {
      const page = await get<PageView<DeliveryView>>(project, 'eventdeliveries?event_type=alpha');
      expect(page.content.map((delivery) => delivery.event_id)).toEqual(alphaIds);
    });

    it('pages forward and back with cursors, without duplicates or gaps', async () => {
      for (const sort of ['desc', 'asc']) {
        const expected = sort === 'desc' ? eventIds : [...eventIds].reverse();
        const pages: PageView<EventView>[] = [];
        let page = await get<PageView<EventView>>(project, `events?perPage=5&sort=${sort}`);
        pages.push(page);
        expect(page.pagination.has_prev_page).toBe(false);
        while (page.pagination.has_next_page) {
          page = await get(
            project,
            `events?perPage=5&sort=${sort}&direction=next&next_page_cursor=${page.pagination.next_page_cursor}`,
          );
          pages.push(page);
        }
        expect(pages.map((p) => p.content.length)).toEqual([5, 5, 3]);
        expect(pages.flatMap(ids)).toEqual(expected);
        // And back from the last page to the first.
        const back: string[][] = [ids(page)];
        while (page.pagination.has_prev_page) {
          page = await get(
            project,
            `events?perPage=5&sort=${sort}&direction=prev&prev_page_cursor=${page.pagination.prev_page_cursor}`,
          );
          back.unshift(ids(page));
        }
        expect(back).toEqual(pages.map(ids));
      }
      // Deliveries page the same way, filters kept.
      const first = await get<PageView<DeliveryView>>(
        project,
        `eventdeliveries?perPage=3&endpointId=${okEndpoint}`,
      );
      const second = await get<PageView<DeliveryView>>(
        project,
        `eventdeliveries?perPage=3&endpointId=${okEndpoint}&next_page_cursor=${first.pagination.next_page_cursor}`,
      );
      expect([...first.content, ...second.content].map((delivery) => delivery.event_id)).toEqual(
        alphaIds.slice(0, 6),
      );
    });

    it('counts deliveries per status for the same filters', async () => {
      expect(await get(project, 'eventdeliveries/statustotals')).toEqual({
        Scheduled: 0,
        Processing: 0,
        Success: 9,
        Retry: 0,
        Failure: 4,
        Discarded: 0,
      });
      expect(
        await get(project, `eventdeliveries/statustotals?endpointId=${failingEndpoint}`),
      ).toMatchObject({ Success: 0, Failure: 4 });
      expect(
        await get(project, 'eventdeliveries/statustotals?eventType=alpha&status=Success'),
      ).toMatchObject({ Success: 9, Failure: 0 });
      expect(await get(other, 'eventdeliveries/statustotals')).toMatchObject({
        Success: 1,
        Failure: 0,
      });
    });

    it('gets one delivery attempt', async () => {
      const [delivery] = (
        await get<PageView<DeliveryView>>(project, `eventdeliveries?eventId=${keyedId}`)
      ).content;
      const attempts = await get<AttemptView[]>(
        project,
        `eventdeliveries/${delivery!.uid}/deliveryattempts`,
      );
      expect(attempts).toHaveLength(1);
      const attempt = await get<AttemptView>(
        project,
        `eventdeliveries/${delivery!.uid}/deliveryattempts/${attempts[0]!.uid}`,
      );
      expect(attempt).toMatchObject({
        uid: attempts[0]!.uid,
        msg_id: delivery!.uid,
        http_status: '500',
      });

      // Through another delivery of the project, or another project, the attempt is not found.
      const [otherDelivery] = (
        await get<PageView<DeliveryView>>(project, `eventdeliveries?eventId=${eventIds[0]}`)
      ).content;
      const notFound = [
        projectPath(
          project,
          `eventdeliveries/${otherDelivery!.uid}/deliveryattempts/${attempts[0]!.uid}`,
        ),
        projectPath(other, `eventdeliveries/${delivery!.uid}/deliveryattempts/${attempts[0]!.uid}`),
        projectPath(project, `eventdeliveries/${delivery!.uid}/deliveryattempts/${UNKNOWN_ID}`),
        projectPath(project, `eventdeliveries/${delivery!.uid}/deliveryattempts/not-an-id`),
      ];
      for (const url of notFound) {
        const api = url.includes(other.projectId) ? other.api : project.api;
        expect({ url, status: (await api.get(url)).status }).toEqual({ url, status: 404 });
      }
    });

    it('answers 404 for unknown or foreign event and delivery ids', async () => {
      const [delivery] = (await get<PageView<DeliveryView>>(project, 'eventdeliveries?perPage=1'))
        .content;
      const cases: [DemoProject, string][] = [
        [project, `events/${UNKNOWN_ID}`],
        [project, 'events/not-an-id'],
        [other, `events/${eventIds[0]}`],
        [project, `eventdeliveries/${UNKNOWN_ID}`],
        [other, `eventdeliveries/${delivery!.uid}`],
        [other, `eventdeliveries/${delivery!.uid}/deliveryattempts`],
      ];
      for (const [owner, rest] of cases) {
        expect({ rest, status: (await owner.api.get(projectPath(owner, rest))).status }).toEqual({
          rest,
          status: 404,
        });
      }
      expect((await project.api.get(projectPath(project, `events/${eventIds[0]}`))).status).toBe(
        200,
      );
    });

    it('refuses invalid filters with a 400 naming the query field', async () => {
      const cases: [string, string][] = [
        ['events?endpointId=nope', 'endpointId'],
        [`events?endpointId[]=${okEndpoint}&endpointId[]=nope`, 'endpointId'],
        ['events?sourceId=nope', 'sourceId'],
        ['events?startDate=yesterday', 'startDate'],
        ['events?endDate=soon', 'endDate'],
        ['events?startDate=2026-02-01T00:00:00Z&endDate=2026-01-01T00:00:00Z', 'endDate'],
        ['events?perPage=0', 'perPage'],
        ['events?perPage=many', 'perPage'],
        ['events?direction=sideways', 'direction'],
        ['events?sort=random', 'sort'],
        ['events?next_page_cursor=abc', 'next_page_cursor'],
        ['events?direction=prev&prev_page_cursor=abc', 'prev_page_cursor'],
        ['eventdeliveries?status=Lost', 'status'],
        ['eventdeliveries?status=Success&status=Lost', 'status'],
        ['eventdeliveries?eventId=nope', 'eventId'],
        ['eventdeliveries?subscriptionId=nope', 'subscriptionId'],
        ['eventdeliveries?endpointId=nope', 'endpointId'],
        ['eventdeliveries?startDate=2026-01-01', 'startDate'],
        ['eventdeliveries/statustotals?status=Lost', 'status'],
        ['eventdeliveries/statustotals?endpointId=nope', 'endpointId'],
      ];
      for (const [rest, field] of cases) {
        const response = await project.api.get(projectPath(project, rest));
        expect({
          rest,
          status: response.status,
          field: (response.body.data as { field?: string } | undefined)?.field,
        }).toEqual({
          rest,
          status: 400,
          field,
        });
      }
    });
  });
});
