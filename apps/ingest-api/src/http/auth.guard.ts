import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ProjectsService } from '@flotilla/management';
import { RequestError } from './request-error';

export const ADMIN_TOKEN = Symbol('ADMIN_TOKEN');

function bearer(request: Request): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Instance operations (creating projects) need the instance admin token. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(@Inject(ADMIN_TOKEN) private readonly adminToken: string) {}

  canActivate(context: ExecutionContext): boolean {
    const token = bearer(context.switchToHttp().getRequest<Request>());
    if (!token) throw new RequestError(401, 'missing Authorization: Bearer <admin token>', 'Authorization');
    if (!sameSecret(token, this.adminToken)) throw new RequestError(401, 'invalid admin token', 'Authorization');
    return true;
  }
}

/**
 * Project routes need that project's API key (or the admin token). A key reaches exactly one
 * project: any other project id in the path is refused.
 */
@Injectable()
export class ProjectGuard implements CanActivate {
  constructor(
    private readonly projects: ProjectsService,
    @Inject(ADMIN_TOKEN) private readonly adminToken: string,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    const token = bearer(request);
    if (!token) throw new RequestError(401, 'missing Authorization: Bearer <project API key>', 'Authorization');
    if (sameSecret(token, this.adminToken)) return true;
    const projectId = await this.projects.authenticate(token);
    if (projectId !== request.params['projectID']) {
      throw new RequestError(403, 'this API key does not give access to that project', 'projectID');
    }
    return true;
  }
}
