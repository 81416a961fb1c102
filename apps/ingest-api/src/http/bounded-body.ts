import type { Request, Response } from 'express';

/** How long a refused upload may keep its connection, so the client can read our answer. */
const REFUSED_UPLOAD_GRACE_MS = 2000;

/**
 * Reads a request body of at most `limit` bytes. Resolves undefined as soon as the body is known
 * to be larger (its Content-Length, or the bytes seen so far), without buffering the rest.
 */
export function readBoundedBody(request: Request, limit: number): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  // Already read by a body parser: waiting for 'end' again would wait forever.
  if (request.readableEnded) {
    const body: unknown = request.body;
    if (!Buffer.isBuffer(body)) {
      return Promise.reject(new Error('the request body was already consumed'));
    }
    return Promise.resolve(body.length > limit ? undefined : body);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        request.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    // The server's request timeout (or the client) closed the connection before the body ended.
    const onClose = () => {
      cleanup();
      reject(new Error('the connection closed before the request body ended'));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
  });
}

/**
 * For an answer given before the body was read (unknown source, body too large): close the
 * connection after answering rather than reading an upload of any size to keep it alive. The
 * socket gets a short grace period, as closing with unread data would reset it before the client
 * saw the answer.
 */
export function closeAfterAnswer(request: Request, response: Response): void {
  if (request.complete) return;
  response.setHeader('Connection', 'close');
  response.once('finish', () => {
    setTimeout(() => request.socket.destroy(), REFUSED_UPLOAD_GRACE_MS).unref();
  });
}
