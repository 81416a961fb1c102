import {
  createEndpoint,
  createProject,
  eventually,
  startTestStack,
  stopAll,
  type DemoProject,
  type ReceivedRequest,
  type TestStack,
  ReceiverPool,
} from '@flotilla/testing';

jest.setTimeout(150_000);

const EVENTS = 1000;
/**
 * Positions whose first delivery attempt the receiver fails: the first with 503 and a 15 s
 * Retry-After (so a backlog builds up behind it), the others with a plain 500.
 */
const FAIL_ONCE = [0, 97, 211, 350, 420, 555, 640, 777, 901, 998];
const HOLD_SECONDS = 15;
const UNORDERED_EVENTS = 200;

function numberOf(request: ReceivedRequest): number {
  return (JSON.parse(request.body) as { n: number }).n;
}

describe('ordered delivery (endpoint ordered: true)', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler']);
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  it('delivers 1,000 events in acceptance order despite failures, while an unordered endpoint keeps flowing', async () => {
    const project: DemoProject = await createProject(stack.admin, 'ordered', {
      strategy: { type: 'linear', duration: 1, retry_count: 3 },
    });
    const failed = new Set<number>();
    const answered: number[] = [];
    const ordered = await receivers.start((request, index) => {
      const n = numberOf(request);
      if (!FAIL_ONCE.includes(n) || failed.has(n)) return { status: (answered[index] = 200) };
      failed.add(n);
      answered[index] = n === 0 ? 503 : 500;
      return n === 0
        ? { status: 503, headers: { 'retry-after': String(HOLD_SECONDS) } }
        : { status: 500 };
    });
    const unordered = await receivers.start();
    const queueEndpoint = await createEndpoint(project, {
      name: 'fifo',
      url: ordered.url,
      ordered: true,
    });
    const freeEndpoint = await createEndpoint(project, { name: 'free', url: unordered.url });
    const base = `/api/v1/projects/${project.projectId}`;
    const shown = await project.api.expect<{ ordered: boolean }>(
      200,
      'GET',
      `${base}/endpoints/${queueEndpoint.uid}`,
    );
    expect(shown.ordered).toBe(true);
    const listed = await project.api.expect<{ content: { uid: string; ordered: boolean }[] }>(
      200,
      'GET',
      `${base}/endpoints`,
    );
    expect(listed.content.find((endpoint) => endpoint.uid === freeEndpoint.uid)?.ordered).toBe(
      false,
    );

    const send = (endpointId: string, n: number): Promise<unknown> =>
      project.api.expect(201, 'POST', `${base}/events`, {
        endpoint_id: endpointId,
        event_type: 'seq.test',
        data: { n },
      });
    const started = Date.now();
    const acceptedAt: number[] = [];
    // One at a time: each 201 comes after Kafka acknowledged the event, so n is the acceptance order.
    const acceptOrdered = (async () => {
      for (let n = 0; n < EVENTS; n += 1) {
        await send(queueEndpoint.uid, n);
        acceptedAt[n] = Date.now();
      }
    })();
    // While the ordered queue is held behind its first event, the unordered endpoint gets events.
    await ordered.waitForRequests(1, 30_000);
    const unorderedStarted = Date.now();
    for (let n = 0; n < UNORDERED_EVENTS; n += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => send(freeEndpoint.uid, n + i)));
    }
    await acceptOrdered;
    const accepted = Date.now();

    await unordered.waitForRequests(UNORDERED_EVENTS, 30_000);
    const unorderedDone = unordered.requests.at(-1)!.receivedAt;
    await ordered.waitForRequests(EVENTS + FAIL_ONCE.length, 90_000);
    const orderedDone = ordered.requests.at(-1)!.receivedAt;

    const sequence = ordered.requests.map(numberOf);
    // Strict FIFO: nothing after a failed delivery is sent before it succeeded (the sequence never goes back).
    expect(sequence.filter((n, i) => i > 0 && n < sequence[i - 1]!)).toEqual([]);
    // Every event exactly once in acceptance order among the successes; the failures were retried in place.
    const successes = ordered.requests.filter((_request, i) => answered[i] === 200);
    expect(successes.map(numberOf)).toEqual(Array.from({ length: EVENTS }, (_, n) => n));
    expect([...failed].sort((a, b) => a - b)).toEqual(FAIL_ONCE);
    // The unordered endpoint was not held behind the ordered queue's retries: it was served while
    // the ordered queue waited for its head.
    const headDone = successes[0]!.receivedAt;
    expect(unorderedDone).toBeLessThan(headDone);
    expect(new Set(unordered.requests.map((request) => request.body)).size).toBe(UNORDERED_EVENTS);

    const statuses = await eventually(async () => {
      const page = await project.api.expect<{
        content: { status: string; metadata: { num_trials: number } }[];
      }>(200, 'GET', `${base}/eventdeliveries?endpointId=${queueEndpoint.uid}&perPage=1000`);
      expect(page.content).toHaveLength(EVENTS);
      expect(page.content.filter((delivery) => delivery.status !== 'Success')).toEqual([]);
      return page.content;
    }, 20_000);
    expect(statuses.reduce((sum, delivery) => sum + delivery.metadata.num_trials, 0)).toBe(
      EVENTS + FAIL_ONCE.length,
    );

    // The backlog that built up behind the held head, drained: from the head's success to the first
    // delivery that arrived less than 500 ms after it was accepted (caught up with the producer).
    const successAt = successes.map((request) => request.receivedAt);
    const found = successAt.findIndex((at, n) => n > 0 && at - acceptedAt[n]! < 500);
    const caughtUp = found > 0 ? found : EVENTS - 1;
    const drainSeconds = (successAt[caughtUp]! - headDone) / 1000;
    const retriesInDrain = FAIL_ONCE.filter((n) => n > 0 && n <= caughtUp);
    // Time the queue spent waiting for those retries (from the failed attempt to the retry's success).
    const retryWait = retriesInDrain.reduce((sum, n) => {
      const failedAt = ordered.requests.find(
        (request, i) => answered[i] !== 200 && numberOf(request) === n,
      )!.receivedAt;
      return sum + (successAt[n]! - failedAt) / 1000;
    }, 0);
    const seconds = (orderedDone - started) / 1000;
    // Figures for the record (noisy on a shared machine).
    console.log(
      `ordered: ${EVENTS} events with ${FAIL_ONCE.length} injected failures delivered in ${seconds.toFixed(1)} s from the first send ` +
        `(accepting them one by one took ${((accepted - started) / 1000).toFixed(1)} s); backlog of ${caughtUp} events behind the ` +
        `held head drained in ${drainSeconds.toFixed(1)} s = ${(caughtUp / drainSeconds).toFixed(0)} events/s including ` +
        `${retriesInDrain.length} retries (${retryWait.toFixed(1)} s of waiting for them; ` +
        `${(caughtUp / (drainSeconds - retryWait)).toFixed(0)} events/s without); ` +
        `last delivery ${((orderedDone - accepted) / 1000).toFixed(1)} s after the last accept; ` +
        `unordered: ${UNORDERED_EVENTS} delivered ${((unorderedDone - unorderedStarted) / 1000).toFixed(1)} s after they started`,
    );
  });
});
