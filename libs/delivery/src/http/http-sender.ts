import { createHash } from 'node:crypto';
import { errors, request, type Dispatcher } from 'undici';

/** What receivers send back that we keep in the audit log (Convoy keeps 50 KB too). */
export const MAX_RESPONSE_BODY_BYTES = 50 * 1024;

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  /** mTLS: the client certificate and its key (PEM) to present when the connection is TLS. */
  clientCertificate?: ClientCertificate;
}

export interface ClientCertificate {
  cert: string;
  key: string;
}

/** A guarded dispatcher presenting a client certificate (same egress check as the default one). */
export type ClientCertificateDispatcherFactory = (certificate: ClientCertificate) => Dispatcher;

/** Client-certificate dispatchers kept at once; the least recently used one is closed past it. */
const MAX_CLIENT_CERTIFICATE_DISPATCHERS = 1000;

/**
 * `oauth2_token`: the endpoint's OAuth2 token could not be had (the token endpoint's answer);
 * `credentials`: the endpoint's stored credentials cannot be read (FLOTILLA_ENCRYPTION_KEY changed).
 */
export type SendErrorKind =
  | 'timeout'
  | 'connection'
  | 'egress_refused'
  | 'invalid_url'
  | 'network'
  | 'oauth2_token'
  | 'credentials';

export type SendResult =
  | {
      kind: 'response';
      status: number;
      headers: Record<string, string>;
      body: string;
      latencyMs: number;
    }
  | { kind: 'error'; errorKind: SendErrorKind; message: string; latencyMs: number };

/**
 * POSTs one delivery and never throws: every failure comes back as a typed result for the retry
 * logic and the audit log. The dispatcher decides where connections may go (SSRF guard).
 */
export class HttpSender {
  private readonly withCertificate = new Map<string, Dispatcher>();

  /**
   * `clientCertificates` makes a dispatcher (connection pool) per client certificate, for mTLS
   * endpoints; without it requests that carry one fail.
   */
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly clientCertificates?: ClientCertificateDispatcherFactory,
  ) {}

  async send(outgoing: OutgoingRequest): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const response = await request(outgoing.url, {
        method: 'POST',
        headers: outgoing.headers,
        body: outgoing.body,
        dispatcher: outgoing.clientCertificate
          ? this.dispatcherFor(outgoing.clientCertificate)
          : this.dispatcher,
        headersTimeout: outgoing.timeoutMs,
        bodyTimeout: outgoing.timeoutMs,
        signal: AbortSignal.timeout(outgoing.timeoutMs),
      });
      const body = await readBounded(response.body);
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
      }
      return { kind: 'response', status: response.statusCode, headers, body, latencyMs: elapsed() };
    } catch (error) {
      return { kind: 'error', ...classify(error), latencyMs: elapsed() };
    }
  }

  /** One pool per certificate and key, reused across deliveries (most recently used kept). */
  private dispatcherFor(certificate: ClientCertificate): Dispatcher {
    if (!this.clientCertificates) throw new Error('client certificates are not supported here');
    const key = createHash('sha256')
      .update(certificate.cert)
      .update('\0')
      .update(certificate.key)
      .digest('base64url');
    let dispatcher = this.withCertificate.get(key);
    if (dispatcher) {
      this.withCertificate.delete(key);
    } else {
      dispatcher = this.clientCertificates(certificate);
      if (this.withCertificate.size >= MAX_CLIENT_CERTIFICATE_DISPATCHERS) {
        const [oldestKey, oldest] = this.withCertificate.entries().next().value ?? [];
        if (oldestKey !== undefined) this.withCertificate.delete(oldestKey);
        // Requests already on it finish; close() waits for them.
        void oldest?.close().catch(() => undefined);
      }
    }
    this.withCertificate.set(key, dispatcher);
    return dispatcher;
  }
}

async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size < MAX_RESPONSE_BODY_BYTES) {
      chunks.push(chunk.subarray(0, MAX_RESPONSE_BODY_BYTES - size));
    }
    size += chunk.length;
    // Past 1 MB we stop reading: the connection is dropped rather than drained.
    if (size > 1024 * 1024) {
      body.destroy();
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function classify(error: unknown): { errorKind: SendErrorKind; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  const name = error instanceof Error ? error.name : '';
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
  if (name === 'EgressRefusedError' || cause?.name === 'EgressRefusedError') {
    return { errorKind: 'egress_refused', message: cause?.message ?? message };
  }
  if (
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError ||
    error instanceof errors.ConnectTimeoutError ||
    name === 'TimeoutError' ||
    name === 'AbortError'
  ) {
    return { errorKind: 'timeout', message: `timed out: ${message}` };
  }
  if (error instanceof errors.InvalidArgumentError || error instanceof TypeError) {
    return { errorKind: 'invalid_url', message };
  }
  const code =
    (error as { code?: unknown }).code ?? (cause as { code?: unknown } | undefined)?.code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ENOTFOUND' ||
    code === 'EHOSTUNREACH'
  ) {
    return { errorKind: 'connection', message: `${code}: ${message}` };
  }
  return { errorKind: 'network', message };
}
