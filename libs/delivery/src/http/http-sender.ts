import { errors, request, type Dispatcher } from 'undici';

/** What receivers send back that we keep in the audit log (Convoy keeps 50 KB too). */
export const MAX_RESPONSE_BODY_BYTES = 50 * 1024;

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export type SendErrorKind = 'timeout' | 'connection' | 'egress_refused' | 'invalid_url' | 'network';

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
  constructor(private readonly dispatcher: Dispatcher) {}

  async send(outgoing: OutgoingRequest): Promise<SendResult> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    try {
      const response = await request(outgoing.url, {
        method: 'POST',
        headers: outgoing.headers,
        body: outgoing.body,
        dispatcher: this.dispatcher,
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
