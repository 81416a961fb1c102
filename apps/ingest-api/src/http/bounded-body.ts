import type { Request, Response } from 'express';

/** How long a refused upload may go on after our answer before its connection is cut. */
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
 * For an answer given before the body was read (unknown source, body too large): once the answer
 * is sent, discard the rest of the upload for a short grace period, then cut the connection if it
 * has still not ended. Closing at once (`Connection: close`) makes Node destroy the socket with
 * unread data, which resets it: a client still uploading saw EPIPE instead of our 413. The grace
 * period keeps an upload of any size from holding the connection.
 */
export function discardRestAfterAnswer(request: Request, response: Response): void {
  if (request.complete) return;
  response.once('finish', () => {
    if (request.complete) return;
    const cutOff = setTimeout(() => request.socket.destroy(), REFUSED_UPLOAD_GRACE_MS).unref();
    request.once('end', () => {
      clearTimeout(cutOff);
    });
    // No 'data' listener is left, so resuming reads and drops the bytes.
    request.resume();
  });
}
