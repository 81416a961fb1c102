import {
  createEndpoint,
  createProject,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(240_000);

const TOTAL = 1000;

describe('nothing accepted is lost when the dispatcher restarts', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler']);
    receiver = await WebhookReceiver.start();
  });

  afterAll(async () => {
    await stopAll(receiver, stack);
  });

  it(`delivers all ${TOTAL} events at least once across a SIGTERM and restart midway`, async () => {
    const project = await createProject(stack.admin, 'restart');
    const endpoint = await createEndpoint(project, { name: 'receiver', url: receiver.url });
    const path = `/api/v1/projects/${project.projectId}/events`;
    const dispatcher = stack.service('dispatcher');

    let next = 0;
    let accepted = 0;
    let restart: Promise<void> | undefined;
    let exitCode: number | null | undefined;
    const sender = async (): Promise<void> => {
      while (next < TOTAL) {
        const seq = next++;
        const response = await project.api.post(path, {
          endpoint_id: endpoint.uid,
          event_type: 'load.test',
          data: { seq },
        });
        if (response.status !== 201)
          throw new Error(`event ${seq}: ${response.status} ${JSON.stringify(response.body)}`);
        accepted += 1;
        if (accepted === Math.floor(TOTAL / 3) && !restart) {
          // Stop the dispatcher gracefully while events keep arriving, then start it again.
          restart = (async () => {
            exitCode = await dispatcher.stop('SIGTERM');
            await new Promise((resolve) => setTimeout(resolve, 500));
            await dispatcher.startProcess();
          })();
        }
      }
    };
    await Promise.all(Array.from({ length: 16 }, () => sender()));
    await restart;
    // The dispatcher's own log says why a graceful stop failed.
    expect({
      exitCode,
      log: exitCode === 0 ? '' : dispatcher.output.join('').slice(-4000),
    }).toEqual({
      exitCode: 0,
      log: '',
    });
    expect(accepted).toBe(TOTAL);

    const deadline = Date.now() + 120_000;
    const seen = new Map<number, number>();
    while (Date.now() < deadline) {
      seen.clear();
      for (const request of receiver.requests) {
        const { seq } = JSON.parse(request.body) as { seq: number };
        seen.set(seq, (seen.get(seq) ?? 0) + 1);
      }
      if (seen.size === TOTAL) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const missing = Array.from({ length: TOTAL }, (_, seq) => seq).filter((seq) => !seen.has(seq));
    const duplicates = receiver.requests.length - seen.size;
    process.stdout.write(
      `restart test: ${seen.size}/${TOTAL} delivered, ${duplicates} duplicate deliveries\n`,
    );
    expect(missing).toEqual([]);
  });
});
