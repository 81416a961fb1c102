/**
 * The benchmark's receiver, in a worker thread of its own so the generator's work on the main
 * thread does not delay (and so inflate) the arrival times it records.
 *
 * Paths say how to answer: `/ok/<endpoint>` 200 and records the arrival, `/fail/<endpoint>` 500,
 * `/hang/<endpoint>` never answers (the sender's timeout ends it). An arrival is keyed by endpoint
 * and the event's sequence number (`"n":<int>` in the body), so duplicates are counted, not
 * mistaken for deliveries.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parentPort } from 'node:worker_threads';

export type ReceiverCommand = { kind: 'drain' } | { kind: 'stop' };
/** Arrivals since the last drain: `[endpoint, n, epoch ms]` triples, flattened. */
export interface ReceiverDrain {
  kind: 'drain';
  arrivals: number[];
  duplicates: number;
  failed: number;
}

const port = parentPort;
if (!port) throw new Error('arrival-receiver.worker runs as a worker thread');

const seen = new Set<number>();
let arrivals: number[] = [];
let duplicates = 0;
let failed = 0;
const hanging = new Set<ServerResponse>();
const sequencePattern = /"n":(\d+)/;

function handle(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const now = performance.timeOrigin + performance.now();
    const [, behaviour = '', endpointText = '0'] = (request.url ?? '').split('/');
    if (behaviour === 'hang') {
      hanging.add(response);
      response.on('close', () => hanging.delete(response));
      return;
    }
    if (behaviour === 'fail') {
      failed += 1;
      response.writeHead(500).end();
      return;
    }
    const match = sequencePattern.exec(Buffer.concat(chunks).toString('utf8'));
    if (match) {
      const endpoint = Number(endpointText);
      const n = Number(match[1]);
      // endpoint < 2^11 and n < 2^40 keep the key exact in a double.
      const key = endpoint * 2 ** 40 + n;
      if (seen.has(key)) duplicates += 1;
      else {
        seen.add(key);
        arrivals.push(endpoint, n, now);
      }
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, handle);
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  port.postMessage({ kind: 'listening', port: typeof address === 'object' ? address?.port : 0 });
});

port.on('message', (command: ReceiverCommand) => {
  if (command.kind === 'drain') {
    const message: ReceiverDrain = { kind: 'drain', arrivals, duplicates, failed };
    arrivals = [];
    port.postMessage(message);
    return;
  }
  for (const response of hanging) response.destroy();
  server.closeAllConnections();
  server.close(() => {
    port.postMessage({ kind: 'stopped' });
  });
});
