import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { routeTemplate } from './http-metrics.middleware';
import { acceptRequestId, REQUEST_ID_HEADER, runInRequestContext } from './request-context';

// Probes and scrapes arrive every few seconds and say nothing about traffic.
const QUIET = /^\/(health(\/.*)?|metrics)$/;

/**
 * Gives each request an id (the caller's valid `X-Request-Id`, or a new one), echoes it, runs the
 * request inside it so every log line carries `request_id`, and writes one access log line when
 * the answer is sent. The query string is left out: portal links and some sources carry tokens
 * there.
 */
export function accessLogMiddleware(
  logger: Logger,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const requestId = acceptRequestId(req.headers['x-request-id']);
    const started = process.hrtime.bigint();
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.once('finish', () => {
      const path = req.originalUrl.split('?', 1)[0] ?? '/';
      const line = {
        request_id: requestId,
        method: req.method,
        route: routeTemplate(req),
        path: path.length > 256 ? `${path.slice(0, 256)}…` : path,
        status: res.statusCode,
        duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
        bytes: contentLength(res.getHeader('content-length')),
        remote: req.socket.remoteAddress,
      };
      if (QUIET.test(path)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    runInRequestContext({ requestId }, next);
  };
}

function contentLength(header: number | string | string[] | undefined): number | undefined {
  const value = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(value) ? value : undefined;
}
