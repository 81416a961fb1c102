import { projectConfigSchema } from '@flotilla/contracts';
import type { DeliveryResult, DispatchRow } from '@flotilla/db';
import type { Logger } from '@flotilla/observability';
import type { HttpSender, OutgoingRequest, SendResult } from '../http/http-sender';
import { publishDeliveryOutcomes } from './delivery-outcomes';
import { MetaEventQueue } from './meta-event.queue';

const META_URL = 'http://127.0.0.1:9/meta';
const PROJECT_ID = '0190a4d2-0000-7000-8000-000000000002';

/** Records requests; each one stays open until released. */
class HeldSender {
  readonly requests: OutgoingRequest[] = [];
  private readonly releases: (() => void)[] = [];

  send(request: OutgoingRequest): Promise<SendResult> {
    this.requests.push(request);
    return new Promise((resolve) => {
      this.releases.push(() => {
        resolve({ kind: 'response', status: 200, headers: {}, body: '', latencyMs: 1 });
      });
    });
  }

  releaseAll(): void {
    for (const release of this.releases.splice(0)) release();
  }
}

function logger(): Logger & { warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  return { warnings, warn: (...args: unknown[]) => warnings.push(args) } as unknown as Logger & {
    warnings: unknown[][];
  };
}

const config = (meta: Record<string, unknown>) =>
  projectConfigSchema.parse({ meta_event: { is_enabled: true, url: META_URL, ...meta } });

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('MetaEventQueue', () => {
  it('sends only wanted types (empty list = all), without waiting, a few at a time', async () => {
    const sender = new HeldSender();
    const queue = new MetaEventQueue(sender as unknown as HttpSender, logger(), { concurrency: 2 });
    queue.publish(PROJECT_ID, config({ event_type: ['endpoint.created'] }), 'endpoint.updated', {});
    queue.publish(PROJECT_ID, projectConfigSchema.parse({}), 'endpoint.created', {});
    expect(sender.requests).toHaveLength(0);

    for (let n = 0; n < 3; n += 1) queue.publish(PROJECT_ID, config({}), 'endpoint.created', { n });
    await tick();
    expect(sender.requests).toHaveLength(2);
    sender.releaseAll();
    await tick();
    expect(sender.requests).toHaveLength(3);
    const body = JSON.parse(sender.requests[2]!.body) as { event_type: string; data: unknown };
    expect(body).toMatchObject({ event_type: 'endpoint.created', data: { n: 2 } });
    sender.releaseAll();
    await queue.drain(1000);
  });

  it('drops (and logs) beyond its bound instead of growing', async () => {
    const sender = new HeldSender();
    const log = logger();
    const queue = new MetaEventQueue(sender as unknown as HttpSender, log, {
      concurrency: 1,
      maxPending: 2,
    });
    for (let n = 0; n < 5; n += 1) queue.publish(PROJECT_ID, config({}), 'endpoint.deleted', { n });
    await tick();
    // One in flight, two waiting, two dropped with one log line.
    expect(sender.requests).toHaveLength(1);
    expect(log.warnings).toHaveLength(1);
    sender.releaseAll();
    await tick();
    sender.releaseAll();
    await tick();
    sender.releaseAll();
    await queue.drain(1000);
    expect(sender.requests).toHaveLength(3);
  });
});

describe('publishDeliveryOutcomes', () => {
  it('publishes eventdelivery.success / failed for deliveries this batch ended, nothing else', async () => {
    const sender = new HeldSender();
    const queue = new MetaEventQueue(sender as unknown as HttpSender, logger(), {
      concurrency: 10,
    });
    const row = (id: string): DispatchRow =>
      ({
        id,
        projectId: 'p',
        eventId: `e-${id}`,
        endpointId: 'ep',
        eventType: 't',
        url: 'https://x',
        attemptCount: 2,
        projectConfig: { meta_event: { is_enabled: true, url: META_URL } },
      }) as unknown as DispatchRow;
    const result = (
      id: string,
      status: DeliveryResult['status'],
      attempted: number,
    ): DeliveryResult => ({
      id,
      status,
      attempted,
      nextAttemptAt: new Date(),
      latencyMs: 5,
      lastError: status === 'Failure' ? 'HTTP 500' : null,
    });
    publishDeliveryOutcomes(queue, ['a', 'b', 'c', 'd'].map(row), [
      result('a', 'Success', 1),
      result('b', 'Failure', 1),
      result('c', 'Retry', 1),
      result('d', 'Discarded', 0),
    ]);
    await tick();
    const sent = sender.requests.map(
      (request) =>
        JSON.parse(request.body) as { event_type: string; data: Record<string, unknown> },
    );
    expect(sent.map((payload) => [payload.event_type, payload.data['uid']])).toEqual([
      ['eventdelivery.success', 'a'],
      ['eventdelivery.failed', 'b'],
    ]);
    expect(sent[1]!.data).toMatchObject({
      event_id: 'e-b',
      status: 'Failure',
      description: 'HTTP 500',
      metadata: { num_trials: 3 },
    });
    sender.releaseAll();
    await queue.drain(1000);
  });
});
