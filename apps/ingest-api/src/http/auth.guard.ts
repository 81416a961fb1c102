import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import {
  ApiKeysService,
  ManagementError,
  parseApiKey,
  type AuthenticatedKey,
} from '@flotilla/management';
import {
  ApiRateLimiter,
  AuthFailureLimiter,
  AuthFailuresLimitedError,
  RateLimitedError,
} from './rate-limiter';
import { RequestError } from './request-error';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

function bearer(request: Request): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Instance operations (creating and listing projects) need the instance admin token. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(ADMIN_TOKEN) private readonly adminToken: string) {}

  canActivate(context: ExecutionContext): boolean {
    const token = bearer(context.switchToHttp().getRequest<Request>());
    if (!token) {
      throw new RequestError(
        401,
        'missing or malformed Authorization header: expected Bearer <admin token>',
        'Authorization',
      );
    }
    if (sameSecret(token, this.adminToken)) return true;
    // Well-formed project keys are refused as such (whether live or not: nothing is looked up).
    if (parseApiKey(token)) {
      throw new RequestError(
        403,
        'this route needs the instance admin token; a project API key cannot use it',
        'Authorization',
      );
    }
    throw new RequestError(401, 'invalid admin token', 'Authorization');
  }
}

/**
 * Project routes (`/projects/{projectID}/…`) take that project's API key or the instance admin
 * token. A key reaches exactly one project: any other project id in the path is 403, whether that
 * project exists or not. Each key is rate limited (429 with Retry-After); the admin token is not.
 */
@Injectable()
export class ProjectGuard implements CanActivate {
  constructor(
    private readonly keys: ApiKeysService,
    private readonly limiter: ApiRateLimiter,
    private readonly failures: AuthFailureLimiter,
    @Inject(ADMIN_TOKEN) private readonly adminToken: string,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = bearer(request);
    if (!token) {
      throw new RequestError(
        401,
        'missing or malformed Authorization header: expected Bearer <project API key>',
        'Authorization',
      );
    }
    if (sameSecret(token, this.adminToken)) return true;
    const key = await this.authenticate(request, token);
    const wait = this.limiter.take(key.keyId);
    if (wait !== undefined) throw new RateLimitedError(this.limiter.options.perSecond, wait);
    if (key.projectId !== request.params['projectID']) {
      throw new RequestError(403, 'this API key does not give access to that project', 'projectID');
    }
    return true;
  }

  private async authenticate(request: Request, token: string): Promise<AuthenticatedKey> {
    const address = request.socket.remoteAddress ?? 'unknown';
    const blockedFor = this.failures.blockedFor(address);
    // Past the limit only keys this replica has seen work are looked up: clients sharing the
    // address (a proxy, a NAT) keep working while guessed keys cost no query.
    if (blockedFor !== undefined && !this.keys.isKnownKey(token)) {
      throw new AuthFailuresLimitedError(this.failures.perMinute, blockedFor);
    }
    try {
      return await this.keys.authenticate(token);
    } catch (error) {
      if (error instanceof ManagementError && error.code === 'unauthorized')
        this.failures.fail(address);
      throw error;
    }
  }
}
