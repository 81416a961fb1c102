import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ReceiverDrain } from './arrival-receiver.worker';

/** One delivery: which endpoint got which event, and when (epoch ms, sub-millisecond). */
export interface Arrival {
  endpoint: number;
  n: number;
  at: number;
}

/** The loopback receiver every system under test delivers to (see arrival-receiver.worker). */
export class ArrivalReceiver {
  private duplicates = 0;
  private failed = 0;

  private constructor(
    private readonly worker: Worker,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<ArrivalReceiver> {
    const worker = new Worker(path.join(__dirname, 'arrival-receiver.worker.js'));
    const port = await new Promise<number>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: { port: number }) => {
        resolve(message.port);
      });
    });
    return new ArrivalReceiver(worker, `http://127.0.0.1:${String(port)}`);
  }

  /** The URL an endpoint answering `behaviour` gets. */
  url(behaviour: 'ok' | 'fail' | 'hang', endpoint: number): string {
    return `${this.baseUrl}/${behaviour}/${String(endpoint)}`;
  }

  /** Arrivals since the last call. */
  async drain(): Promise<Arrival[]> {
    const message = await new Promise<ReceiverDrain>((resolve) => {
      this.worker.once('message', resolve);
      this.worker.postMessage({ kind: 'drain' });
    });
    this.duplicates = message.duplicates;
    this.failed = message.failed;
    const arrivals: Arrival[] = [];
    for (let index = 0; index < message.arrivals.length; index += 3) {
      arrivals.push({
        endpoint: message.arrivals[index]!,
        n: message.arrivals[index + 1]!,
        at: message.arrivals[index + 2]!,
      });
    }
    return arrivals;
  }

  /** Deliveries that arrived again (at-least-once), and 500s answered, since the start. */
  counts(): { duplicates: number; failed: number } {
    return { duplicates: this.duplicates, failed: this.failed };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.worker.once('message', () => {
        resolve();
      });
      this.worker.postMessage({ kind: 'stop' });
    });
    await this.worker.terminate();
  }
}
