import {
  createEndpoint,
  createProject,
  deliveryPartitionOf,
  maxInWindow,
  metricValue,
  ReceiverPool,
  startTestStack,
  stopAll,
  waitForDispatcherGroup,
  type ServiceProcess,
  type TestStack,
  sendEvent,
} from '@flotilla/testing';

jest.setTimeout(150_000);

describe('rate limits with two dispatcher replicas', () => {
  let stack: TestStack;
  let replicas: ServiceProcess[];
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    // Two processes in one consumer group per stage, started together so that both take part in
    // the groups' first join (the test broker holds any later rebalance for a session timeout).
    stack = await startTestStack(['ingest-api', 'scheduler'], { KAFKA_SESSION_TIMEOUT_MS: '6000' });
    replicas = await Promise.all([stack.start('dispatcher'), stack.start('dispatcher')]);
    // Sending only once the group has settled keeps this test about the steady state; what an
    // ownership move costs is documented in docs/guarantees.md.
    await waitForDispatcherGroup(replicas);
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  it('holds an endpoint to 10 requests/s while another endpoint on the same replica, and both replicas, go at full speed', async () => {
    const project = await createProject(stack.admin, 'rate-limit-replicas');
    const limitedReceiver = await receivers.start();
    const neighbourReceiver = await receivers.start();
    const spreadReceiver = await receivers.start();
    const limited = await createEndpoint(project, {
      name: 'limited',
      url: limitedReceiver.url,
      rate_limit: 10,
      rate_limit_duration: 1,
    });
    // The unlimited neighbour shares the limited endpoint's partition, so the same replica owns both.
    const partition = deliveryPartitionOf(limited.uid);
    let neighbour = await createEndpoint(project, {
      name: 'neighbour',
      url: neighbourReceiver.url,
    });
    while (deliveryPartitionOf(neighbour.uid) !== partition) {
      neighbour = await createEndpoint(project, { name: 'neighbour', url: neighbourReceiver.url });
    }
    // One unlimited endpoint in each other partition, so both replicas have deliveries to make.
    const spread = new Map<number, string>();
    while (spread.size < 11) {
      const endpoint = await createEndpoint(project, { name: 'spread', url: spreadReceiver.url });
      const at = deliveryPartitionOf(endpoint.uid);
      if (at !== partition && !spread.has(at)) spread.set(at, endpoint.uid);
    }

    // The neighbour's events go first: its finishing before the limited endpoint then shows it was
    // not held behind the limit, however slowly this machine sends.
    const events: [string, number][] = [
      ...Array.from({ length: 100 }, (_, n): [string, number] => [neighbour.uid, n]),
      ...Array.from({ length: 40 }, (_, n): [string, number] => [limited.uid, n]),
      ...[...spread.values()].flatMap((endpointId) =>
        Array.from({ length: 10 }, (_, n): [string, number] => [endpointId, n]),
      ),
    ];
    const started = Date.now();
    // A few at a time: 250 concurrent POSTs would only measure the API's database pool.
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let index = next++; index < events.length; index = next++) {
        const [endpointId, n] = events[index]!;
        await sendEvent(project, endpointId, { n });
      }
    };
    await Promise.all(Array.from({ length: 16 }, () => worker()));
    await neighbourReceiver.waitForRequests(100, 30_000);
    const neighbourDone = Date.now() - started;
    await spreadReceiver.waitForRequests(110, 30_000);
    await limitedReceiver.waitForRequests(40, 60_000);
    const arrivals = limitedReceiver.requests.map((request) => request.receivedAt);
    const limitedDone = arrivals.at(-1)! - started;
    const perReplica = await Promise.all(
      replicas.map(async (replica) =>
        metricValue(await replica.metrics(), 'flotilla_delivery_attempts_total', {
          outcome: 'success',
        }),
      ),
    );
    process.stdout.write(
      `rate limit, 2 replicas: limited endpoint max ${maxInWindow(limitedReceiver.requests)} per 1 s window, ` +
        `40 in ${arrivals.at(-1)! - arrivals[0]!} ms; neighbour's 100 done after ${neighbourDone} ms; ` +
        `successful attempts per replica ${perReplica.join(' / ')}\n`,
    );

    // Counted where it matters, at the receiver, over every sliding 1 s window of arrival times.
    expect(maxInWindow(limitedReceiver.requests, 1000)).toBeLessThanOrEqual(10);
    // 40 at 10/s cannot take less than 3 s; the unlimited neighbour on the same replica is not held behind it.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(3000);
    expect(neighbourDone).toBeLessThan(limitedDone);
    // Both replicas delivered: the limit held across a real two-member group.
    for (const successes of perReplica) expect(successes).toBeGreaterThan(0);
    expect(new Set(limitedReceiver.requests.map((request) => request.body)).size).toBe(40);
  });
});
