import type { NextFunction, Request, Response } from 'express';
import { HTTP_METHODS, httpRequestMetrics } from './flotilla-metrics';
import type { MetricsRegistry } from './metrics';

const KNOWN_METHODS = new Set<string>(HTTP_METHODS);

/**
 * The route template a request matched (`/api/v1/projects/:projectId/events`), never the raw path:
 * ids in paths would make a series per id. Requests no route matched share `unmatched`.
 */
export function routeTemplate(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (typeof route?.path === 'string') return `${req.baseUrl}${route.path}`;
  return 'unmatched';
}

export function statusClass(status: number): string {
  return status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : 'other';
}

/** Express middleware: RED metrics (rate, errors by status class, duration) per route template. */
export function httpMetricsMiddleware(
  metrics: MetricsRegistry,
): (req: Request, res: Response, next: NextFunction) => void {
  const { requests, duration } = httpRequestMetrics(metrics);
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const labels = {
        method: KNOWN_METHODS.has(req.method) ? req.method : 'other',
        route: routeTemplate(req),
        status_class: statusClass(res.statusCode),
      };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
