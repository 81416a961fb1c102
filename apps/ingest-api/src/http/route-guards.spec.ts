import 'reflect-metadata';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod, type Type } from '@nestjs/common';
import type { IngestApiEnv } from '@flotilla/contracts';
import { createLogger } from '@flotilla/observability';
import { IngestApiModule } from '../ingest-api.module';
import { AdminGuard, ProjectGuard } from './auth.guard';
import { PortalGuard } from './portal.guard';

/**
 * Routes anyone may call, each on purpose: incoming webhooks (the source's verifier replaces the
 * API key), the API's own documentation and the dashboard's static files (no project data: the
 * app calls the API with the user's token).
 */
const PUBLIC_ROUTES = new Set([
  'POST /ingest/:maskID',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/assets/:name',
  'GET /ui',
  'GET /ui/*path',
]);

interface Route {
  route: string;
  guards: unknown[];
}

function routes(): Route[] {
  const config = {
    API_RATE_LIMIT_PER_SECOND: 0,
    FLOTILLA_EGRESS_ALLOW: [],
  } as unknown as IngestApiEnv;
  const controllers: Type[] =
    IngestApiModule.forRoot(config, createLogger('test')).controllers ?? [];
  return controllers.flatMap((controller) => {
    const base = String(Reflect.getMetadata(PATH_METADATA, controller));
    const classGuards = (Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as unknown[];
    const prototype = controller.prototype as Record<string, unknown>;
    return Object.getOwnPropertyNames(prototype).flatMap((name) => {
      const handler = prototype[name];
      const method =
        typeof handler === 'function'
          ? (Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined)
          : undefined;
      if (method === undefined || name === 'constructor') return [];
      const sub = String(Reflect.getMetadata(PATH_METADATA, handler as object));
      const path = `/${[base, sub].filter((part) => part !== '/' && part !== '').join('/')}`;
      const guards = [
        ...classGuards,
        ...((Reflect.getMetadata(GUARDS_METADATA, handler as object) ?? []) as unknown[]),
      ];
      return [{ route: `${RequestMethod[method]} ${path}`, guards }];
    });
  });
}

// The tenancy audit, kept true as routes are added: a route is project-scoped, admin-only, or
// deliberately public; nothing is left open by forgetting a guard.
describe('ingest-api route guards', () => {
  const all = routes();

  it('finds the routes', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.map((route) => route.route)).toContain('POST /api/v1/projects/:projectID/keys');
  });

  it.each(
    all.filter((route) => route.route.includes(':projectID')).map((route) => [route.route, route]),
  )('%s is guarded: a key of that project or the admin token', (_name, route) => {
    expect(route.guards.includes(ProjectGuard) || route.guards.includes(AdminGuard)).toBe(true);
  });

  const isPortal = (route: Route): boolean => route.route.split(' ')[1]!.startsWith('/portal-api/');

  it.each(
    all
      .filter((route) => !route.route.includes(':projectID') && !isPortal(route))
      .map((route) => [route.route, route]),
  )('%s is admin-only or deliberately public', (name, route) => {
    expect(route.guards.includes(AdminGuard) || PUBLIC_ROUTES.has(name)).toBe(true);
  });

  it.each(all.filter(isPortal).map((route) => [route.route, route]))(
    '%s takes a portal token and nothing else',
    (_name, route) => {
      expect(route.guards).toEqual([PortalGuard]);
    },
  );

  it('accepts portal tokens on /portal-api routes only', () => {
    const outside = all.filter((route) => !isPortal(route) && route.guards.includes(PortalGuard));
    expect(outside).toEqual([]);
    expect(all.filter(isPortal).length).toBeGreaterThan(10);
  });
});
