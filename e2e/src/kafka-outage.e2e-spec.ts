import {
  createEndpoint,
  createProject,
  eventually,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(180_000);

/**
 * "Accepted means durable" (docs/guarantees.md): while Kafka is unreachable, ingest answers 503
 * with Retry-After at once rather than hanging or half-accepting; once Kafka is back, events are
 * accepted and delivered, and the refused ones never appear.
 */
describe('ingest while Kafka is down', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  let endpointId: string;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'kafka-outage');
    endpointId = (await createEndpoint(project, { name: 'receiver', url: receiver.url })).uid;
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  const send = (label: string) =>
    project.api.post(`/api/v1/projects/${project.projectId}/events`, {
      endpoint_id: endpointId,
      event_type: 'outage.test',
      data: { label },
      idempotency_key: label,
    });

  it('answers 503 with Retry-After at once, accepts nothing, and recovers', async () => {
    expect((await send('before')).status).toBe(201);
    await receiver.waitForRequests(1, 30_000);

    await stack.kafka.brokerDown(1);
    const refused: string[] = [];
    try {
      for (let i = 0; i < 5; i += 1) {
        const started = Date.now();
        const response = await send(`refused-${i}`);
        const tookMs = Date.now() - started;
        expect({ i, status: response.status }).toEqual({ i, status: 503 });
        expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
        expect(response.body.status).toBe(false);
        process.stdout.write(`503 #${i} after ${tookMs} ms\n`);
        // Within 1 s, every one of them: the producer gives up after its short retry budget
        // (PRODUCE_RETRY; measured 0.11-0.44 s, 2.7 s before it was bounded).
        expect({ i, tookMs, withinOneSecond: tookMs <= 1000 }).toMatchObject({
          i,
          withinOneSecond: true,
        });
        refused.push(`refused-${i}`);
      }
    } finally {
      await stack.kafka.brokerUp(1);
    }

    // Back: accepted again (within the time kafkajs needs to reconnect) and delivered.
    const back = Date.now();
    await eventually(async () => {
      expect((await send('after')).status).toBe(201);
    }, 60_000);
    process.stdout.write(`accepting again ${Date.now() - back} ms after Kafka came back\n`);
    await receiver.waitForRequests(2, 60_000);
    process.stdout.write(`delivered again ${Date.now() - back} ms after Kafka came back\n`);
    // Nothing refused was half-accepted: not in the log, never delivered.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const page = await project.api.expect<{ content: { idempotency_key: string }[] }>(
      200,
      'GET',
      `/api/v1/projects/${project.projectId}/events?perPage=100`,
    );
    const keys = page.content.map((event) => event.idempotency_key);
    expect(keys.sort()).toEqual(['after', 'before']);
    const delivered = receiver.requests.map((request) => request.body);
    for (const label of refused) expect(delivered.join('\n')).not.toContain(label);
  });
});
