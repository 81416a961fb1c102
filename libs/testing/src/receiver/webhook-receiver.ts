import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type RequestListener,
  type Server,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  body: string;
  receivedAt: number;
  /** HTTPS receivers: the subject CN of the client certificate presented, if any. */
  clientCertificateSubject?: string;
}

/** An HTTPS receiver's certificate and, to require client certificates (mTLS), the CA they must chain to. */
export interface ReceiverTlsOptions {
  cert: string;
  key: string;
  /** Require a client certificate signed by this CA; connections without one are refused. */
  clientCa?: string;
}

export interface ReceiverResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  delayMs?: number;
}

export type ReceiverBehaviour = (request: ReceivedRequest, index: number) => ReceiverResponse;

/**
 * A customer's webhook endpoint on loopback: records every request and answers as told (200 by
 * default). Tests assert on what it received, as a customer would.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  /** Delayed answers not sent yet; cleared on stop so a hanging receiver holds no timer. */
  private readonly pending = new Set<NodeJS.Timeout>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private behaviour: ReceiverBehaviour,
  ) {}

  static async start(
    behaviour: ReceiverBehaviour = () => ({ status: 200, body: 'ok' }),
    tls?: ReceiverTlsOptions,
  ): Promise<WebhookReceiver> {
    const holder: { receiver?: WebhookReceiver } = {};
    const handler: RequestListener = (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const receiver = holder.receiver;
        if (!receiver) return;
        const request: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          receivedAt: Date.now(),
          ...clientCertificateOf(req),
        };
        const index = receiver.requests.length;
        receiver.requests.push(request);
        receiver.notify();
        const response = receiver.behaviour(request, index);
        const send = (): void => {
          res.writeHead(response.status, { 'content-type': 'text/plain', ...response.headers });
          res.end(response.body ?? '');
        };
        if (response.delayMs) {
          const timer = setTimeout(() => {
            receiver.pending.delete(timer);
            send();
          }, response.delayMs);
          receiver.pending.add(timer);
        } else send();
      });
    };
    const server: Server = tls
      ? createHttpsServer(
          {
            cert: tls.cert,
            key: tls.key,
            ...(tls.clientCa
              ? { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }
              : {}),
          },
          handler,
        )
      : createServer(handler);
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const scheme = tls ? 'https' : 'http';
    const receiver = new WebhookReceiver(
      server,
      `${scheme}://127.0.0.1:${port}/webhook`,
      behaviour,
    );
    holder.receiver = receiver;
    return receiver;
  }

  respondWith(behaviour: ReceiverBehaviour): void {
    this.behaviour = behaviour;
  }

  /** Resolves when at least `count` requests arrived; rejects after the timeout with what it saw. */
  waitForRequests(count: number, timeoutMs = 30_000): Promise<ReceivedRequest[]> {
    if (this.requests.length >= count) return Promise.resolve(this.requests);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `receiver got ${this.requests.length} of ${count} requests within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.requests);
        },
      });
    });
  }

  private notify(): void {
    const ready = this.waiters.filter((waiter) => this.requests.length >= waiter.count);
    this.waiters = this.waiters.filter((waiter) => this.requests.length < waiter.count);
    for (const waiter of ready) waiter.resolve();
  }

  async stop(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

function clientCertificateOf(req: IncomingMessage): { clientCertificateSubject?: string } {
  const socket = req.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return {};
  const subject = socket.getPeerCertificate().subject as { CN?: string | string[] } | undefined;
  const cn = Array.isArray(subject?.CN) ? subject.CN[0] : subject?.CN;
  return cn ? { clientCertificateSubject: cn } : {};
}
