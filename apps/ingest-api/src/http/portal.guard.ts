import {
  createParamDecorator,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { PortalLinksService, type PortalScope } from '@flotilla/management';
import { ApiRateLimiter, RateLimitedError } from './rate-limiter';
import { RequestError } from './request-error';

/** The parts of a request the portal needs (the same on Express and Fastify). */
interface PortalRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  portalScope?: PortalScope;
}

/** A portal token from `?token=` (Convoy's portal URL) or `Authorization: Bearer`. */
function portalToken(request: PortalRequest): string | undefined {
  const query = request.query['token'];
  if (typeof query === 'string' && query !== '') return query;
  const header = request.headers['authorization'];
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

/**
 * `/portal-api/…` routes take a portal link's token and nothing else: no API key or admin token
 * (those have the management API). The link's scope (project, endpoints, may it manage them)
 * travels with the request to the handler; each token is rate limited like an API key.
 */
@Injectable()
export class PortalGuard implements CanActivate {
  constructor(
    private readonly links: PortalLinksService,
    private readonly limiter: ApiRateLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PortalRequest>();
    const token = portalToken(request);
    if (!token) {
      throw new RequestError(
        401,
        'missing portal token: pass ?token=<portal link token> or Authorization: Bearer <token>',
        'token',
      );
    }
    const scope = await this.links.authenticate(token);
    const wait = this.limiter.take(scope.linkId);
    if (wait !== undefined) throw new RateLimitedError(this.limiter.options.perSecond, wait);
    request.portalScope = scope;
    return true;
  }
}

/** The portal link's scope that PortalGuard authenticated. */
export const Portal = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const scope = context.switchToHttp().getRequest<PortalRequest>().portalScope;
  if (!scope) throw new Error('Portal scope read on a route without PortalGuard');
  return scope;
});
