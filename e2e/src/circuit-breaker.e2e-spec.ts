import { Webhook } from 'standardwebhooks';
import { generateStandardSecret } from '@flotilla/signing';
import {
  createEndpoint,
  createProject,
  deadUrl,
  eventually,
  ReceiverPool,
  startTestStack,
  stopAll,
  type TestStack,
  sendEvent,
} from '@flotilla/testing';

jest.setTimeout(180_000);

describe('circuit breaking', () => {
  let stack: TestStack;
  const receivers = new ReceiverPool();

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler'], {
      BREAKER_MIN_REQUESTS: '5',
      BREAKER_RESET_SECONDS: '1',
      BREAKER_DISABLE_AFTER_TRIPS: '2',
    });
  });

  afterAll(async () => {
    await stopAll(receivers, stack);
  });

  it('opens the breaker on a dead endpoint, then disables it and sends a signed endpoint.disabled meta event', async () => {
    const meta = await receivers.start();
    const metaSecret = generateStandardSecret();
    const project = await createProject(stack.admin, 'breaker', {
      disable_endpoint: true,
      strategy: { type: 'linear', duration: 1, retry_count: 50 },
      // Only this meta event: endpoint.created would otherwise arrive first.
      meta_event: {
        is_enabled: true,
        url: meta.url,
        secret: metaSecret,
        event_type: ['endpoint.disabled'],
      },
    });
    const dead = await createEndpoint(project, { name: 'dead', url: await deadUrl() });
    await Promise.all(Array.from({ length: 10 }, (_, n) => sendEvent(project, dead.uid, { n })));

    await eventually(async () => {
      const endpoint = await project.api.expect<{ status: string }>(
        200,
        'GET',
        `/api/v1/projects/${project.projectId}/endpoints/${dead.uid}`,
      );
      expect(endpoint.status).toBe('inactive');
    }, 60_000);
    const [notice] = await meta.waitForRequests(1, 10_000);
    const headers = {
      'webhook-id': String(notice!.headers['webhook-id']),
      'webhook-timestamp': String(notice!.headers['webhook-timestamp']),
      'webhook-signature': String(notice!.headers['webhook-signature']),
    };
    const payload = new Webhook(metaSecret).verify(notice!.body, headers) as {
      event_type: string;
      data: { uid: string; reason: string };
    };
    expect(payload.event_type).toBe('endpoint.disabled');
    expect(payload.data.uid).toBe(dead.uid);
    expect(payload.data.reason).toMatch(/circuit breaker/);

    // While the breaker was open, deliveries waited instead of burning attempts: far fewer attempts
    // than 10 deliveries retried every second would have made.
    const deliveries = await project.api.expect<{
      content: { metadata: { num_trials: number } }[];
    }>(200, 'GET', `/api/v1/projects/${project.projectId}/eventdeliveries?endpointId=${dead.uid}`);
    const attempts = deliveries.content.reduce(
      (sum, delivery) => sum + delivery.metadata.num_trials,
      0,
    );
    expect(attempts).toBeLessThan(20);
  });
});
