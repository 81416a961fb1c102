import {
  createEndpoint,
  createProject,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(240_000);

/** Recovery must stay under this: the time from starting a dispatcher again to a delivery. */
const RECOVERY_BUDGET_MS = 10_000;

/**
 * How long a dispatcher takes to deliver again after a restart: the new process must start, both
 * consumer groups must rebalance (after SIGKILL the dead member is only noticed when its session
 * times out), and the first event must go through.
 */
describe('dispatcher recovery time', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  let endpointId: string;
  let seq = 0;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher']);
    receiver = await WebhookReceiver.start();
    project = await createProject(stack.admin, 'recovery');
    endpointId = (await createEndpoint(project, { name: 'receiver', url: receiver.url })).uid;
    await deliverOne(60_000);
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  /** Sends one event and resolves when the receiver got it. */
  async function deliverOne(timeoutMs: number): Promise<void> {
    const count = receiver.requests.length;
    seq += 1;
    await project.api.expect(201, 'POST', `/api/v1/projects/${project.projectId}/events`, {
      endpoint_id: endpointId,
      event_type: 'recovery.probe',
      data: { seq },
    });
    await receiver.waitForRequests(count + 1, timeoutMs);
  }

  it.each(['SIGTERM', 'SIGKILL'] as const)(
    'delivers again within 10 s of a restart after %s',
    async (signal) => {
      const dispatcher = stack.service('dispatcher');
      await dispatcher.stop(signal);
      const started = Date.now();
      await dispatcher.startProcess();
      const ready = Date.now() - started;
      await deliverOne(60_000);
      const recovered = Date.now() - started;
      process.stdout.write(
        `dispatcher recovery after ${signal}: ready in ${String(ready)} ms, delivering in ${String(recovered)} ms\n`,
      );
      expect(recovered).toBeLessThan(RECOVERY_BUDGET_MS);
    },
  );
});
