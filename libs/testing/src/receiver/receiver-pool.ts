import { freePort } from '../infra/free-port';
import { WebhookReceiver, type ReceivedRequest, type ReceiverBehaviour } from './webhook-receiver';

/**
 * The receivers of one test file: started on demand, all stopped in `afterAll`
 * (`await stopAll(receivers, stack)`).
 */
export class ReceiverPool {
  private readonly started: WebhookReceiver[] = [];

  async start(behaviour?: ReceiverBehaviour): Promise<WebhookReceiver> {
    const receiver = await WebhookReceiver.start(behaviour);
    this.started.push(receiver);
    return receiver;
  }

  /** A receiver that reads every request and never answers: the dispatcher's timeout ends each one. */
  hanging(): Promise<WebhookReceiver> {
    return this.start(() => ({ status: 200, delayMs: 10 * 60_000 }));
  }

  async stop(): Promise<void> {
    await Promise.all(this.started.map((receiver) => receiver.stop().catch(() => undefined)));
  }
}

/** A URL on loopback where nothing listens: every connection is refused. */
export async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}/nobody-listens`;
}

/** The largest number of requests that arrived within any `windowMs` (by receiver arrival time). */
export function maxInWindow(requests: readonly ReceivedRequest[], windowMs = 1000): number {
  const arrivals = requests.map((request) => request.receivedAt).sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < arrivals.length; last += 1) {
    while (arrivals[last]! - arrivals[first]! >= windowMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}
