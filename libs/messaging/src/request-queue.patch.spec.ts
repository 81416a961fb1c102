import { setTimeout as sleep } from 'node:timers/promises';
import { kafkajsRequestQueue, patchKafkajsRequestQueue } from './request-queue.patch';

interface Queue {
  pending: { send: () => void; expectResponse: boolean; correlationId: number }[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  destroy(): void;
}
type QueueClass = new (options: Record<string, unknown>) => Queue;

const logger = { debug: () => undefined, warn: () => undefined, error: () => undefined };

function newQueue(): Queue {
  const RequestQueue = kafkajsRequestQueue as QueueClass;
  return new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 1000,
    enforceRequestTimeout: false,
    clientId: 'test',
    broker: 'b:9092',
    logger,
  });
}

describe('patchKafkajsRequestQueue', () => {
  beforeAll(() => {
    patchKafkajsRequestQueue();
  });

  it('arms no timer when nothing is pending and nothing throttles', () => {
    const queue = newQueue();
    queue.checkPendingRequests();
    expect(queue.throttleCheckTimeoutId).toBeNull();
    queue.destroy();
  });

  it('still sends a request held back by a throttle once the throttle ends', async () => {
    const queue = newQueue();
    let sent = false;
    queue.throttledUntil = Date.now() + 30;
    queue.pending.push({ send: () => (sent = true), expectResponse: true, correlationId: 1 });
    queue.checkPendingRequests();
    expect(sent).toBe(false);
    await sleep(80);
    expect(sent).toBe(true);
    queue.destroy();
  });
});
