import { Injectable } from '@nestjs/common';
import {
  newId,
  UUID_PATTERN,
  type CreatePortalLinkBody,
  type PortalLinkListQuery,
  type PortalLinkResponse,
  type UpdatePortalLinkBody,
} from '@flotilla/contracts';
import {
  EndpointRepository,
  PortalLinkRepository,
  type PageResult,
  type PortalLink,
} from '@flotilla/db';
import { generateToken, parseToken, tokenSecretMatches } from './bearer-token';
import { toCursor } from './event-log.service';
import { ManagementError } from './management-error';
import { ProjectsService } from './projects.service';

/** What a portal token may reach: one project, and in it the endpoints of an owner or a list. */
export interface PortalScope {
  linkId: string;
  projectId: string;
  name: string;
  ownerId: string | null;
  /** For links scoped by a list (empty for owner links, whose endpoints are looked up). */
  endpointIds: readonly string[];
  canManageEndpoint: boolean;
}

/** Like API keys: a revocation is immediate on this replica and takes this long on others. */
export const PORTAL_AUTH_CACHE_MS = 10_000;
const MAX_CACHED_TOKENS = 10_000;

/** The portal's address for a token: the dashboard's portal mode (embeddable in an iframe). */
export function portalUrl(baseUrl: string, token: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/ui/portal?token=${encodeURIComponent(token)}`;
}

function scopeOf(link: PortalLink): PortalScope {
  return {
    linkId: link.id,
    projectId: link.projectId,
    name: link.name,
    ownerId: link.ownerId,
    endpointIds: link.ownerId === null ? link.endpointIds : [],
    canManageEndpoint: link.canManageEndpoint,
  };
}

/**
 * Convoy's portal links: a customer's own view of its endpoints, deliveries and the event catalog,
 * reached with a `PL.<prefix>.<secret>` token. Only a SHA-256 of the secret is stored, so the token
 * (and the `url` carrying it) is shown once, when made or refreshed.
 */
@Injectable()
export class PortalLinksService {
  private readonly cache = new Map<string, { scope: PortalScope; cachedAt: number }>();

  constructor(
    private readonly links: PortalLinkRepository,
    private readonly endpoints: EndpointRepository,
    private readonly projects: ProjectsService,
  ) {}

  async create(
    projectId: string,
    body: CreatePortalLinkBody,
    baseUrl: string,
  ): Promise<PortalLinkResponse> {
    await this.projects.get(projectId);
    const endpointIds = await this.checkedEndpoints(projectId, body.endpoints);
    const token = generateToken('PL');
    const link = await this.links.create(projectId, {
      id: newId(),
      name: body.name,
      ownerId: body.owner_id ?? null,
      endpointIds,
      canManageEndpoint: body.can_manage_endpoint,
      tokenPrefix: token.prefix,
      tokenHash: token.hash,
    });
    return this.present(link, { token: token.token, baseUrl });
  }

  async list(
    projectId: string,
    query: PortalLinkListQuery,
  ): Promise<PageResult<PortalLinkResponse>> {
    await this.projects.get(projectId);
    const page = await this.links.page(projectId, toCursor(query), query.ownerId);
    return { ...page, rows: await Promise.all(page.rows.map((link) => this.present(link))) };
  }

  async get(projectId: string, id: string): Promise<PortalLinkResponse> {
    return this.present(await this.find(projectId, id));
  }

  async update(
    projectId: string,
    id: string,
    body: UpdatePortalLinkBody,
  ): Promise<PortalLinkResponse> {
    await this.find(projectId, id);
    const endpointIds =
      body.endpoints === undefined
        ? undefined
        : await this.checkedEndpoints(projectId, body.endpoints);
    const updated = await this.links.update(projectId, id, {
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.can_manage_endpoint !== undefined
        ? { canManageEndpoint: body.can_manage_endpoint }
        : {}),
      // A new scope replaces the old one whole.
      ...(body.owner_id !== undefined ? { ownerId: body.owner_id, endpointIds: [] } : {}),
      ...(endpointIds !== undefined ? { ownerId: null, endpointIds } : {}),
    });
    if (!updated) throw new ManagementError('not_found', `portal link ${id} not found`);
    this.forget(id);
    return this.present(updated);
  }

  /** The link stops working at once on this replica (within PORTAL_AUTH_CACHE_MS on others). */
  async revoke(projectId: string, id: string): Promise<void> {
    if (!UUID_PATTERN.test(id) || !(await this.links.revoke(projectId, id, new Date()))) {
      throw new ManagementError('not_found', `portal link ${id} not found`);
    }
    this.forget(id);
  }

  /** A new token for the link; the old token stops working. */
  async refreshToken(projectId: string, id: string): Promise<string> {
    await this.find(projectId, id);
    const token = generateToken('PL');
    const link = await this.links.replaceToken(projectId, id, {
      tokenPrefix: token.prefix,
      tokenHash: token.hash,
    });
    if (!link) throw new ManagementError('not_found', `portal link ${id} not found`);
    this.forget(id);
    return token.token;
  }

  /** Remembers an endpoint the portal made for an endpoint-list link (owner links find it by owner). */
  async addEndpoint(scope: PortalScope, endpointId: string): Promise<void> {
    if (scope.ownerId !== null) return;
    await this.links.addEndpoint(scope.projectId, scope.linkId, endpointId);
    this.forget(scope.linkId);
  }

  /**
   * The scope a portal token gives, or 401 saying why not. The secret is checked (constant time)
   * before anything about the link is revealed.
   */
  async authenticate(token: string): Promise<PortalScope> {
    const now = Date.now();
    const cached = this.cache.get(token);
    if (cached && now - cached.cachedAt < PORTAL_AUTH_CACHE_MS) return cached.scope;
    const parsed = parseToken('PL', token);
    const link = parsed ? await this.links.findByPrefix(parsed.prefix) : null;
    if (!parsed || !link || !tokenSecretMatches(parsed.secret, link.tokenHash)) {
      throw new ManagementError('unauthorized', 'invalid portal token', 'token');
    }
    if (link.revokedAt || link.project.deletedAt) {
      throw new ManagementError('unauthorized', 'this portal link was revoked', 'token');
    }
    const scope = scopeOf(link);
    if (this.cache.size >= MAX_CACHED_TOKENS) this.cache.clear();
    this.cache.set(token, { scope, cachedAt: now });
    return scope;
  }

  /** The live endpoints a scope reaches (never more: an empty list means none). */
  endpointsOf(scope: PortalScope): Promise<string[]> {
    if (scope.ownerId !== null)
      return this.endpoints.liveIds(scope.projectId, { ownerId: scope.ownerId });
    if (scope.endpointIds.length === 0) return Promise.resolve([]);
    return this.endpoints.liveIds(scope.projectId, { ids: [...scope.endpointIds] });
  }

  private forget(linkId: string): void {
    for (const [token, cached] of this.cache) {
      if (cached.scope.linkId === linkId) this.cache.delete(token);
    }
  }

  private async find(projectId: string, id: string): Promise<PortalLink> {
    const link = UUID_PATTERN.test(id) ? await this.links.findById(projectId, id) : null;
    if (!link) throw new ManagementError('not_found', `portal link ${id} not found`);
    return link;
  }

  /** Listed endpoints must be live endpoints of the project. */
  private async checkedEndpoints(projectId: string, ids: string[] | undefined): Promise<string[]> {
    if (ids === undefined) return [];
    const unique = [...new Set(ids)];
    const live = new Set(await this.endpoints.liveIds(projectId, { ids: unique }));
    const unknown = unique.find((id) => !live.has(id));
    if (unknown !== undefined) {
      throw new ManagementError(
        'validation',
        `endpoints: endpoint ${unknown} not found in this project`,
        'endpoints',
      );
    }
    return unique;
  }

  private async present(
    link: PortalLink,
    issued?: { token: string; baseUrl: string },
  ): Promise<PortalLinkResponse> {
    const reached = await this.endpointsOf(scopeOf(link));
    return {
      uid: link.id,
      project_id: link.projectId,
      name: link.name,
      owner_id: link.ownerId ?? '',
      endpoints: link.ownerId === null ? link.endpointIds : [],
      endpoint_count: reached.length,
      can_manage_endpoint: link.canManageEndpoint,
      token: issued?.token ?? '',
      url: issued ? portalUrl(issued.baseUrl, issued.token) : '',
      token_prefix: link.tokenPrefix,
      created_at: link.createdAt.toISOString(),
      updated_at: link.updatedAt.toISOString(),
    };
  }
}
