import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Request } from 'express';
import type { Observable } from 'rxjs';
import type { z } from 'zod';
import { OPENAPI_QUERY } from '@flotilla/openapi';
import { normalizeQuery } from './json-body';
import { RequestError } from './request-error';

/** Parameters some routes read outside their query schema. */
const PORTAL_TOKEN = 'token';

function declaredParameters(schema: z.ZodType | undefined): ReadonlySet<string> {
  const shape = (schema as { shape?: Record<string, unknown> } | undefined)?.shape;
  return new Set(shape ? Object.keys(shape) : []);
}

/**
 * A query parameter a route does not read is a 400 naming it, never ignored: a misspelt filter
 * (`ownerID` for `ownerId`) would otherwise widen what the caller sees, and a caller scoping a
 * list to one owner would get everyone's. Runs after the guards (an unauthenticated caller learns
 * nothing of the route) and before the route parses its query. Only the APIs (`/api/`,
 * `/portal-api/`) are checked: a provider's callback URL at `/ingest/` may carry its own
 * parameters, and the dashboard's pages (`/ui/`) read theirs in the browser.
 */
@Injectable()
export class QueryParametersInterceptor implements NestInterceptor {
  private readonly declared = new WeakMap<object, ReadonlySet<string>>();

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const portal = request.path.startsWith('/portal-api/');
    if (!portal && !request.path.startsWith('/api/')) return next.handle();
    const handler = context.getHandler();
    let allowed = this.declared.get(handler);
    if (!allowed) {
      const schema = Reflect.getMetadata(OPENAPI_QUERY, context.getClass(), handler.name) as
        z.ZodType | undefined;
      allowed = declaredParameters(schema);
      this.declared.set(handler, allowed);
    }
    // A blank parameter filters nothing (Convoy's clients send the filters they leave unset as
    // `name=`), so only one with a value is refused.
    const unknown = Object.entries(normalizeQuery(request.query))
      .filter(([name]) => !allowed.has(name) && !(portal && name === PORTAL_TOKEN))
      .filter(([, value]) => [value].flat().some((item) => item !== ''))
      .map(([name]) => name);
    if (unknown.length > 0) {
      const names = unknown.map((name) => `"${name}"`).join(', ');
      throw new RequestError(
        400,
        `unknown query parameter ${names}: this route takes ${
          allowed.size > 0
            ? [...allowed]
                .sort()
                .map((name) => `"${name}"`)
                .join(', ')
            : 'none'
        }`,
        unknown[0],
      );
    }
    return next.handle();
  }
}
