import { connect, type Socket } from 'node:net';
import { createServer, type Server, type TlsOptions } from 'node:tls';

export interface KafkaTlsProxy {
  /** The proxied brokers, host:port each (same ports as the mock's, on `host`). */
  brokers: string[];
  /** TLS connections the proxy accepted (handshake completed). */
  accepted: () => number;
  stop: () => Promise<void>;
}

/**
 * Terminates TLS in front of the Kafka mock (which speaks plaintext only). Each mock broker at
 * 127.0.0.1:P gets a TLS listener at `host`:P (another loopback address, same port), and the
 * broker addresses in responses (Metadata, FindCoordinator) are rewritten from 127.0.0.1 to
 * `host`, so the client also reaches the partition leaders through TLS. The rewrite keeps each
 * frame's length: `host` must be as long as "127.0.0.1".
 */
export async function startKafkaTlsProxy(
  mockBrokers: readonly string[],
  host: string,
  tls: TlsOptions,
): Promise<KafkaTlsProxy> {
  const from = Buffer.from('127.0.0.1');
  const to = Buffer.from(host);
  if (from.length !== to.length)
    throw new Error(`${host} must be ${String(from.length)} bytes long`);
  // Kafka STRING fields: int16 length, then the bytes.
  const pattern = Buffer.concat([Buffer.from([0, from.length]), from]);
  const replacement = Buffer.concat([Buffer.from([0, to.length]), to]);

  let accepted = 0;
  const sockets = new Set<Socket>();
  const servers: Server[] = [];
  const brokers: string[] = [];
  for (const broker of mockBrokers) {
    const [mockHost, port] = broker.split(':') as [string, string];
    const server = createServer(tls, (client) => {
      accepted += 1;
      const upstream = connect(Number(port), mockHost);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      let pending = Buffer.alloc(0);
      upstream.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        // Whole response frames only (int32 size prefix), so a pattern never spans two chunks.
        while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
          const size = 4 + pending.readInt32BE(0);
          const frame = Buffer.from(pending.subarray(0, size));
          pending = pending.subarray(size);
          for (let at = frame.indexOf(pattern); at >= 0; at = frame.indexOf(pattern, at + 1))
            replacement.copy(frame, at);
          client.write(frame);
        }
      });
      upstream.on('end', () => client.end());
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(Number(port), host, resolve);
    });
    servers.push(server);
    brokers.push(`${host}:${port}`);
  }
  return {
    brokers,
    accepted: () => accepted,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) =>
              server.close(() => {
                resolve();
              }),
            ),
        ),
      );
    },
  };
}
