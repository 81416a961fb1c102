import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  createEndpoint,
  createProject,
  eventually,
  maxInWindow,
  startTestStack,
  stopAll,
  type DemoProject,
  type ReceivedRequest,
  type TestStack,
  sendEvent,
  ReceiverPool,
} from '@flotilla/testing';

jest.setTimeout(120_000);

interface Delivery {
  uid: string;
  status: string;
  metadata: { num_trials: number };
}

describe('delivery engine: signatures, retries, 410, rate limits, scheduler crashes', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler'], {
      SCHEDULER_LEASE_SECONDS: '3',
      // These tests fail deliveries on purpose to watch retries; the breaker has its own test.
      BREAKER_MIN_REQUESTS: '100000',
    });
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  async function deliveryOf(
    project: DemoProject,
    eventId: string,
    status: string,
  ): Promise<Delivery> {
    return eventually(async () => {
      const page = await project.api.expect<{ content: Delivery[] }>(
        200,
        'GET',
        `/api/v1/projects/${project.projectId}/eventdeliveries?eventId=${eventId}`,
      );
      expect(page.content[0]?.status).toBe(status);
      return page.content[0]!;
    }, 30_000);
  }

  it('retries on the configured schedule until the receiver succeeds, with one stable id', async () => {
    const project = await createProject(stack.admin, 'retries', {
      strategy: { type: 'linear', duration: 1, retry_count: 5 },
    });
    const target = await receivers.start((_request, index) => ({ status: index < 3 ? 500 : 200 }));
    const endpoint = await createEndpoint(project, { name: 'flaky', url: target.url });
    const eventId = await sendEvent(project, endpoint.uid, { n: 1 });
    const requests = await target.waitForRequests(4, 30_000);
    const gaps = requests
      .slice(1)
      .map((request, index) => request.receivedAt - requests[index]!.receivedAt);
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(900);
      expect(gap).toBeLessThan(2500);
    }
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    const delivery = await deliveryOf(project, eventId, 'Success');
    const attempts = await project.api.expect<{ http_status: string }[]>(
      200,
      'GET',
      `/api/v1/projects/${project.projectId}/eventdeliveries/${delivery.uid}/deliveryattempts`,
    );
    expect(attempts.map((attempt) => attempt.http_status)).toEqual(['500', '500', '500', '200']);
  });

  it('honours Retry-After', async () => {
    const project = await createProject(stack.admin, 'retry-after', {
      strategy: { type: 'linear', duration: 1, retry_count: 3 },
    });
    const target = await receivers.start((_request, index) =>
      index === 0 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 200 },
    );
    const endpoint = await createEndpoint(project, { name: 'busy', url: target.url });
    await sendEvent(project, endpoint.uid, { n: 1 });
    const [first, second] = await target.waitForRequests(2, 30_000);
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(2900);
  });

  it('disables an endpoint that answers 410 Gone', async () => {
    const project = await createProject(stack.admin, 'gone');
    const target = await receivers.start(() => ({ status: 410 }));
    const endpoint = await createEndpoint(project, { name: 'gone', url: target.url });
    const eventId = await sendEvent(project, endpoint.uid, { n: 1 });
    await deliveryOf(project, eventId, 'Failure');
    const shown = await project.api.expect<{ status: string }>(
      200,
      'GET',
      `/api/v1/projects/${project.projectId}/endpoints/${endpoint.uid}`,
    );
    expect(shown.status).toBe('inactive');
    expect(target.requests).toHaveLength(1);
  });

  it('signs with both secrets during a rotation, each verifiable on its own', async () => {
    const project = await createProject(stack.admin, 'rotation');
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, { name: 'rotating', url: target.url });
    const oldSecret = endpoint.secrets[0]!.value;
    const rotated = await project.api.expect<{
      secrets: { value: string; expires_at: string | null }[];
    }>(
      200,
      'PUT',
      `/api/v1/projects/${project.projectId}/endpoints/${endpoint.uid}/expire_secret`,
      { expiration: 3600 },
    );
    expect(rotated.secrets).toHaveLength(2);
    const newSecret = rotated.secrets.find((secret) => secret.expires_at === null)!.value;
    await sendEvent(project, endpoint.uid, { rotated: true });
    const [request] = await target.waitForRequests(1);
    const headers = standardHeaders(request!);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(oldSecret).verify(request!.body, headers)).toEqual({ rotated: true });
    expect(new Webhook(newSecret).verify(request!.body, headers)).toEqual({ rotated: true });
  });

  it('signs in Convoy’s advanced format when the project asks for it', async () => {
    const versions = [
      { hash: 'SHA256', encoding: 'hex' },
      { hash: 'SHA512', encoding: 'base64' },
    ];
    const project = await createProject(stack.admin, 'convoy', {
      signature: { format: 'convoy', header: 'X-Acme-Signature', versions },
    });
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, {
      name: 'convoy',
      url: target.url,
      secret: 'a-convoy-secret-value',
    });
    await sendEvent(project, endpoint.uid, { convoy: 1 });
    const [request] = await target.waitForRequests(1);
    const header = String(request!.headers['x-acme-signature']);
    // Written from Convoy's documented format: t=<unix>,v1=<sig>,v2=<sig>, each HMAC(secret, "<t>,<body>").
    const parts = Object.fromEntries(
      header.split(',').map((part) => part.split('=', 2) as [string, string]),
    );
    const signed = `${parts['t']},${request!.body}`;
    expect(parts['v1']).toBe(
      createHmac('sha256', 'a-convoy-secret-value').update(signed).digest('hex'),
    );
    expect(header.slice(header.indexOf('v2=') + 3)).toBe(
      createHmac('sha512', 'a-convoy-secret-value').update(signed).digest('base64'),
    );
    expect(request!.headers['x-convoy-idempotency-key']).toBeDefined();
  });

  it('holds an endpoint to its rate limit while another endpoint goes at full speed', async () => {
    const project = await createProject(stack.admin, 'rate-limit');
    const limited = await receivers.start();
    const free = await receivers.start();
    const slow = await createEndpoint(project, {
      name: 'limited',
      url: limited.url,
      rate_limit: 10,
      rate_limit_duration: 1,
    });
    const fast = await createEndpoint(project, { name: 'free', url: free.url });
    const started = Date.now();
    await Promise.all([
      ...Array.from({ length: 40 }, (_, n) => sendEvent(project, slow.uid, { n })),
      ...Array.from({ length: 100 }, (_, n) => sendEvent(project, fast.uid, { n })),
    ]);
    await free.waitForRequests(100, 30_000);
    const freeDone = Date.now() - started;
    await limited.waitForRequests(40, 60_000);
    const arrivals = limited.requests.map((request) => request.receivedAt);
    // Every sliding 1 s window of receiver arrival times, the count the customer sees.
    expect(maxInWindow(limited.requests, 1000)).toBeLessThanOrEqual(10);
    // 40 at 10/s cannot take less than 3 s; the unlimited endpoint is not held behind it.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(3000);
    expect(freeDone).toBeLessThan(arrivals.at(-1)! - started);
  });

  it('stores a repeated idempotency key as a duplicate and does not deliver it again', async () => {
    const project = await createProject(stack.admin, 'idempotency');
    const target = await receivers.start();
    const endpoint = await createEndpoint(project, { name: 'once', url: target.url });
    const path = `/api/v1/projects/${project.projectId}/events`;
    const body = (n: number) => ({
      endpoint_id: endpoint.uid,
      event_type: 'order.paid',
      data: { n },
      idempotency_key: 'order-42',
    });
    const first = await project.api.expect<{ uid: string }>(201, 'POST', path, body(1));
    await target.waitForRequests(1);
    const second = await project.api.expect<{ uid: string }>(201, 'POST', path, body(2));
    const events = await eventually(async () => {
      const page = await project.api.expect<{
        content: { uid: string; is_duplicate_event: boolean }[];
      }>(200, 'GET', path);
      expect(page.content).toHaveLength(2);
      return page.content;
    });
    expect(events.find((event) => event.uid === first.uid)?.is_duplicate_event).toBe(false);
    expect(events.find((event) => event.uid === second.uid)?.is_duplicate_event).toBe(true);
    const deliveries = await project.api.expect<{ content: unknown[] }>(
      200,
      'GET',
      `/api/v1/projects/${project.projectId}/eventdeliveries?eventId=${second.uid}`,
    );
    expect(deliveries.content).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(target.requests.map((request) => request.body)).toEqual(['{"n":1}']);
  });

  it('loses no delivery when the scheduler is killed while holding claims', async () => {
    const project = await createProject(stack.admin, 'scheduler-kill', {
      strategy: { type: 'linear', duration: 1, retry_count: 10 },
    });
    const target = await receivers.start((request) => {
      const { n } = JSON.parse(request.body) as { n: number };
      // Every delivery fails twice, so it depends on the scheduler to come back.
      const seen = target.requests.filter(
        (other) => (JSON.parse(other.body) as { n: number }).n === n,
      ).length;
      return { status: seen <= 2 ? 500 : 200 };
    });
    const endpoint = await createEndpoint(project, { name: 'needs-retries', url: target.url });
    const ids = await Promise.all(
      Array.from({ length: 50 }, (_, n) => sendEvent(project, endpoint.uid, { n })),
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const scheduler = stack.service('scheduler');
    expect(await scheduler.stop('SIGKILL')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await scheduler.startProcess();
    for (const id of ids) await deliveryOf(project, id, 'Success');
    const delivered = new Set(target.requests.map((request) => request.body));
    expect(delivered.size).toBe(50);
  });

  it('sends the delivery again once its lease passes, with the same id', async () => {
    const project = await createProject(stack.admin, 'dispatcher-kill');
    // The first attempt hangs until the dispatcher is gone; the next one succeeds.
    const target = await receivers.start((_request, index) =>
      index === 0 ? { status: 200, delayMs: 10_000 } : { status: 200 },
    );
    // A 1 s timeout makes the lease of a delivery sent in-process 31 s (localLeaseMs).
    const endpoint = await createEndpoint(project, {
      name: 'slow-then-fine',
      url: target.url,
      http_timeout: 1,
    });
    await sendEvent(project, endpoint.uid, { n: 1 });
    await target.waitForRequests(1);
    const dispatcher = stack.service('dispatcher');
    expect(await dispatcher.stop('SIGKILL')).toBeNull();
    await dispatcher.startProcess();
    const [first, second] = await target.waitForRequests(2, 60_000);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
  });
});

function standardHeaders(
  request: ReceivedRequest,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
}
