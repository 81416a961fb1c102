import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { Cursor, PageResult, PortalLink } from '../records';
import { keysetPage } from './paging';

export interface NewPortalLink {
  id: string;
  name: string;
  ownerId: string | null;
  endpointIds: string[];
  canManageEndpoint: boolean;
  tokenPrefix: string;
  tokenHash: string;
}

export interface PortalLinkPatch {
  name?: string;
  ownerId?: string | null;
  endpointIds?: string[];
  canManageEndpoint?: boolean;
}

/** A link as authentication needs it: revoked ones too (to say so), and its project's state. */
export type PortalLinkWithProjectState = PortalLink & { project: { deletedAt: Date | null } };

@Injectable()
export class PortalLinkRepository {
  constructor(private readonly prisma: PrismaService) {}

  create(projectId: string, link: NewPortalLink): Promise<PortalLink> {
    return this.prisma.portalLink.create({ data: { ...link, projectId } });
  }

  /** A live (not revoked) link of the project. */
  findById(projectId: string, id: string): Promise<PortalLink | null> {
    return this.prisma.portalLink.findFirst({ where: { id, projectId, revokedAt: null } });
  }

  findByPrefix(prefix: string): Promise<PortalLinkWithProjectState | null> {
    return this.prisma.portalLink.findUnique({
      where: { tokenPrefix: prefix },
      include: { project: { select: { deletedAt: true } } },
    });
  }

  /** The project's live links, newest first; with `ownerId`, those of that owner. */
  page(projectId: string, cursor: Cursor, ownerId?: string): Promise<PageResult<PortalLink>> {
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.portalLink.findMany({
        where: { ...where, projectId, revokedAt: null, ...(ownerId ? { ownerId } : {}) },
        orderBy,
        take,
      }),
    );
  }

  update(projectId: string, id: string, patch: PortalLinkPatch): Promise<PortalLink | null> {
    return this.write(projectId, id, patch);
  }

  /** A new token for a live link (the old one stops working); null when there is none. */
  replaceToken(
    projectId: string,
    id: string,
    token: { tokenPrefix: string; tokenHash: string },
  ): Promise<PortalLink | null> {
    return this.write(projectId, id, token);
  }

  private async write(
    projectId: string,
    id: string,
    data: Prisma.PortalLinkUpdateManyMutationInput,
  ): Promise<PortalLink | null> {
    const { count } = await this.prisma.portalLink.updateMany({
      where: { id, projectId, revokedAt: null },
      data,
    });
    return count === 0 ? null : this.findById(projectId, id);
  }

  /** Adds an endpoint the portal made to an endpoint-list link, so the link keeps reaching it. */
  async addEndpoint(projectId: string, id: string, endpointId: string): Promise<void> {
    await this.prisma.portalLink.updateMany({
      where: { id, projectId, revokedAt: null },
      data: { endpointIds: { push: endpointId } },
    });
  }

  /** Revokes a live link; returns whether there was one. */
  async revoke(projectId: string, id: string, at: Date): Promise<boolean> {
    const { count } = await this.prisma.portalLink.updateMany({
      where: { id, projectId, revokedAt: null },
      data: { revokedAt: at },
    });
    return count > 0;
  }
}
