import { Webhook } from 'standardwebhooks';
import { generateStandardSecret } from '@flotilla/signing';
import {
  createEndpoint,
  createProject,
  deadUrl,
  deliveryPartitionOf,
  eventually,
  metricValue,
  ReceiverPool,
  startTestStack,
  stopAll,
  type DemoProject,
  type TestStack,
  type WebhookReceiver,
  sendEvent,
} from '@flotilla/testing';

jest.setTimeout(180_000);

/** Events per second sent to each endpoint during a phase, and how long a phase lasts. */
const RATE_PER_SECOND = 20;
const PHASE_MS = 8000;
/**
 * p99 beside the bad endpoints may be at most 2× the baseline p99, plus this much: on a 2-core
 * machine shared with other tests a baseline of a few tens of ms doubles from scheduling noise alone.
 */
const NOISE_FLOOR_MS = 100;

interface Phase {
  p50: number;
  p99: number;
  max: number;
  count: number;
}

describe('no head-of-line blocking: a healthy endpoint beside a timing-out and a dead one', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler'], {
      // Enough failures to keep the bad endpoints busy for a while, then trip and disable quickly.
      BREAKER_MIN_REQUESTS: '40',
      BREAKER_RESET_SECONDS: '1',
      BREAKER_DISABLE_AFTER_TRIPS: '3',
    });
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  /**
   * Sends RATE_PER_SECOND events a second for PHASE_MS to the healthy endpoint (and to each of
   * `others`), waits for the healthy receiver to have them all and returns their accept → receive
   * latencies (from just before the POST to the receiver's arrival time).
   */
  async function runPhase(
    name: string,
    healthy: { project: DemoProject; endpointId: string; receiver: WebhookReceiver },
    others: { project: DemoProject; endpointId: string }[],
  ): Promise<Phase> {
    const sentAt = new Map<number, number>();
    const sends: Promise<unknown>[] = [];
    const count = Math.round((PHASE_MS / 1000) * RATE_PER_SECOND);
    const started = Date.now();
    for (let n = 0; n < count; n += 1) {
      const due = started + (n * 1000) / RATE_PER_SECOND;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now())));
      sentAt.set(n, Date.now());
      sends.push(sendEvent(healthy.project, healthy.endpointId, { phase: name, n }));
      for (const other of others)
        sends.push(sendEvent(other.project, other.endpointId, { phase: name, n }));
    }
    await Promise.all(sends);
    const latencies = await eventually(() => {
      const first = new Map<number, number>();
      for (const request of healthy.receiver.requests) {
        const body = JSON.parse(request.body) as { phase: string; n: number };
        if (body.phase === name && !first.has(body.n))
          first.set(body.n, request.receivedAt - sentAt.get(body.n)!);
      }
      expect(first.size).toBe(count);
      return Promise.resolve([...first.values()].sort((a, b) => a - b));
    }, 60_000);
    const at = (p: number): number =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    return { p50: at(50), p99: at(99), max: latencies.at(-1)!, count: latencies.length };
  }

  it('keeps the healthy endpoint’s p99 within 2× its baseline, and disables the dead endpoint', async () => {
    const meta = await receivers.start();
    const metaSecret = generateStandardSecret();
    // The timing-out endpoint's project never disables endpoints, so it keeps timing out for the
    // whole phase; the dead endpoint's project disables it once its breaker keeps tripping.
    const shared = await createProject(stack.admin, 'head-of-line', {
      strategy: { type: 'linear', duration: 1, retry_count: 50 },
    });
    const disabling = await createProject(stack.admin, 'head-of-line-dead', {
      disable_endpoint: true,
      strategy: { type: 'linear', duration: 1, retry_count: 50 },
      meta_event: {
        is_enabled: true,
        url: meta.url,
        secret: metaSecret,
        event_type: ['endpoint.disabled'],
      },
    });
    const healthyReceiver = await receivers.start();
    const hangingReceiver = await receivers.hanging();
    const healthy = await createEndpoint(shared, { name: 'healthy', url: healthyReceiver.url });
    // The bad endpoints share the healthy one's partition of the deliveries topic: their messages
    // arrive in the same fetched batches, the worst case for head-of-line blocking.
    const partition = deliveryPartitionOf(healthy.uid);
    const inSamePartition = async (
      create: () => Promise<{ uid: string }>,
    ): Promise<{ uid: string }> => {
      for (;;) {
        const endpoint = await create();
        if (deliveryPartitionOf(endpoint.uid) === partition) return endpoint;
      }
    };
    const hanging = await inSamePartition(() =>
      createEndpoint(shared, { name: 'times-out', url: hangingReceiver.url, http_timeout: 1 }),
    );
    const deadTarget = await deadUrl();
    const dead = await inSamePartition(() =>
      createEndpoint(disabling, { name: 'dead', url: deadTarget }),
    );
    const target = { project: shared, endpointId: healthy.uid, receiver: healthyReceiver };

    // Warm up connections, caches and the consumers before measuring anything.
    await Promise.all(
      Array.from({ length: 5 }, (_, n) => sendEvent(shared, healthy.uid, { phase: 'warm-up', n })),
    );
    await healthyReceiver.waitForRequests(5, 30_000);

    const baseline = await runPhase('baseline', target, []);
    const beside = await runPhase('beside-bad-endpoints', target, [
      { project: shared, endpointId: hanging.uid },
      { project: disabling, endpointId: dead.uid },
    ]);
    const limit = 2 * baseline.p99 + NOISE_FLOOR_MS;
    process.stdout.write(
      `head-of-line: healthy endpoint accept→receive latency (ms), ${RATE_PER_SECOND}/s for ${PHASE_MS / 1000} s per phase\n` +
        `  alone:                      p50 ${baseline.p50}  p99 ${baseline.p99}  max ${baseline.max}  (n=${baseline.count})\n` +
        `  beside timing-out and dead: p50 ${beside.p50}  p99 ${beside.p99}  max ${beside.max}  (n=${beside.count})\n` +
        `  ratio p99 ${(beside.p99 / Math.max(1, baseline.p99)).toFixed(2)}×, limit ${limit} ms\n`,
    );
    // The bad endpoints did get their share: the hanging receiver saw requests (each timed out).
    expect(hangingReceiver.requests.length).toBeGreaterThan(0);
    expect(beside.p99).toBeLessThanOrEqual(limit);

    // The dead endpoint's breaker opened (its deliveries were deferred, not attempted), then the
    // endpoint was disabled and the project's meta endpoint told so, signed.
    await eventually(async () => {
      const endpoint = await disabling.api.expect<{ status: string }>(
        200,
        'GET',
        `/api/v1/projects/${disabling.projectId}/endpoints/${dead.uid}`,
      );
      expect(endpoint.status).toBe('inactive');
    }, 60_000);
    const scrape = await stack.service('dispatcher').metrics();
    expect(
      metricValue(scrape, 'flotilla_delivery_attempts_total', { outcome: 'circuit_open' }),
    ).toBeGreaterThan(0);
    const notices = await meta.waitForRequests(1, 10_000);
    const payloads = notices.map(
      (notice) =>
        new Webhook(metaSecret).verify(notice.body, {
          'webhook-id': String(notice.headers['webhook-id']),
          'webhook-timestamp': String(notice.headers['webhook-timestamp']),
          'webhook-signature': String(notice.headers['webhook-signature']),
        }) as { event_type: string; data: { uid: string; reason: string } },
    );
    expect(payloads).toContainEqual(
      expect.objectContaining({
        event_type: 'endpoint.disabled',
        data: expect.objectContaining({ uid: dead.uid }),
      }),
    );
    expect(payloads.find((payload) => payload.data.uid === dead.uid)?.data.reason).toMatch(
      /circuit breaker/,
    );
    // The timing-out endpoint's project does not disable endpoints.
    const stillThere = await shared.api.expect<{ status: string }>(
      200,
      'GET',
      `/api/v1/projects/${shared.projectId}/endpoints/${hanging.uid}`,
    );
    expect(stillThere.status).toBe('active');
  });
});
