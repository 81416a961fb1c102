import { Controller, Get, Post, Put, Delete, UseGuards } from '@nestjs/common';
import { ApiExclude } from '@flotilla/openapi';
import { ProjectGuard } from '../http/auth.guard';
import { RequestError } from '../http/request-error';

interface UnsupportedRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Under `/api/v1/projects/:projectID/`. */
  path: string;
  /** Why Flotilla does not serve it, and what to use instead. */
  why: string;
}

const FUNCTIONS =
  'Flotilla runs no JavaScript transformation functions (there is no sandbox for tenant code); transform in the publisher or the receiver';
const FILTERS =
  "per-event-type filter objects are not supported; give the subscription's filter_config (event_types plus a filter on headers and body) instead";

/**
 * Convoy routes Flotilla does not serve (docs/convoy-compatibility.md says why for each). They
 * answer 501 with the reason and the alternative, after authentication, rather than falling
 * through to "route not found" or, worse, to a neighbouring `/{id}` route.
 */
export const UNSUPPORTED_CONVOY_ROUTES: readonly UnsupportedRoute[] = [
  {
    method: 'POST',
    path: 'endpoints/oauth2/test',
    why: 'testing an OAuth2 token request from the API is not built; an endpoint with authentication.type oauth2 fetches its token when delivering, and a failed token request is recorded as a failed attempt',
  },
  {
    method: 'GET',
    path: 'endpoints/period-failure-rates',
    why: 'use GET /api/v1/projects/{projectID}/overview, which answers the success ratio and the failing endpoints',
  },
  {
    method: 'POST',
    path: 'event-types/import',
    why: 'create event types one by one with POST /event-types; the catalog is published as OpenAPI at /event-types/openapi.json',
  },
  {
    method: 'POST',
    path: 'onboard',
    why: 'bulk onboarding is not built; create endpoints and subscriptions with their own routes',
  },
  { method: 'POST', path: 'sources/test_function', why: FUNCTIONS },
  { method: 'POST', path: 'subscriptions/test_function', why: FUNCTIONS },
  { method: 'GET', path: 'subscriptions/:subscriptionID/filters', why: FILTERS },
  { method: 'POST', path: 'subscriptions/:subscriptionID/filters', why: FILTERS },
  { method: 'POST', path: 'subscriptions/:subscriptionID/filters/bulk', why: FILTERS },
  { method: 'POST', path: 'subscriptions/:subscriptionID/filters/bulk_update', why: FILTERS },
  { method: 'PUT', path: 'subscriptions/:subscriptionID/filters/bulk_update', why: FILTERS },
  { method: 'POST', path: 'subscriptions/:subscriptionID/filters/test/:eventType', why: FILTERS },
  { method: 'GET', path: 'subscriptions/:subscriptionID/filters/:filterID', why: FILTERS },
  { method: 'PUT', path: 'subscriptions/:subscriptionID/filters/:filterID', why: FILTERS },
  { method: 'DELETE', path: 'subscriptions/:subscriptionID/filters/:filterID', why: FILTERS },
];

const ROUTE_DECORATORS = { GET: Get, POST: Post, PUT: Put, DELETE: Delete } as const;

// Registered before the other controllers, so `endpoints/period-failure-rates` is not taken for
// an endpoint id. Left out of the OpenAPI document: these are not operations Flotilla offers.
@ApiExclude()
@Controller('api/v1/projects/:projectID')
@UseGuards(ProjectGuard)
export class UnsupportedConvoyRoutesController {}

// One handler per row of the table: Nest needs a method and its route decorator for each.
for (const [index, route] of UNSUPPORTED_CONVOY_ROUTES.entries()) {
  const name = `unsupported${String(index)}`;
  const handler = (): never => {
    throw new RequestError(
      501,
      `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')} is not supported by Flotilla: ${route.why}`,
    );
  };
  Object.defineProperty(UnsupportedConvoyRoutesController.prototype, name, {
    value: handler,
    writable: true,
    configurable: true,
  });
  const descriptor = Object.getOwnPropertyDescriptor(
    UnsupportedConvoyRoutesController.prototype,
    name,
  );
  if (descriptor)
    ROUTE_DECORATORS[route.method](route.path)(
      UnsupportedConvoyRoutesController.prototype,
      name,
      descriptor,
    );
}
