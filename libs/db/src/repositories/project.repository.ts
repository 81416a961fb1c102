import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { ApiKey, Project } from '../records';
import type { NewApiKey } from './api-key.repository';

@Injectable()
export class ProjectRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A project and its first API key, together or not at all. */
  async createWithApiKey(
    project: {
      id: string;
      name: string;
      type: 'outgoing' | 'incoming';
      config: Prisma.InputJsonValue;
    },
    key: NewApiKey,
  ): Promise<{ project: Project; apiKey: ApiKey }> {
    return this.prisma.$transaction(async (tx) => {
      const created = await tx.project.create({ data: project });
      const apiKey = await tx.apiKey.create({ data: { ...key, projectId: created.id } });
      return { project: created, apiKey };
    });
  }

  findById(id: string): Promise<Project | null> {
    return this.prisma.project.findFirst({ where: { id, deletedAt: null } });
  }

  list(): Promise<Project[]> {
    return this.prisma.project.findMany({ where: { deletedAt: null }, orderBy: { id: 'desc' } });
  }

  /** Updates a live project; null when there is none (deleted meanwhile). */
  async update(
    id: string,
    data: { name?: string; config?: Prisma.InputJsonValue },
  ): Promise<Project | null> {
    const { count } = await this.prisma.project.updateMany({
      where: { id, deletedAt: null },
      data,
    });
    return count === 0 ? null : this.findById(id);
  }

  /**
   * Soft delete, all at once: the project, its endpoints, subscriptions and sources are marked
   * deleted (rows stay for the audit trail) and its pending deliveries end Discarded, so nothing more
   * is sent for it; its API keys stop authenticating because their project is deleted. Returns
   * whether a live project was deleted.
   */
  async softDelete(id: string): Promise<boolean> {
    const now = new Date();
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.project.updateMany({
        where: { id, deletedAt: null },
        data: { deletedAt: now },
      });
      if (count === 0) return false;
      await tx.endpoint.updateMany({
        where: { projectId: id, deletedAt: null },
        data: { deletedAt: now },
      });
      await tx.subscription.updateMany({
        where: { projectId: id, deletedAt: null },
        data: { deletedAt: now },
      });
      await tx.source.updateMany({
        where: { projectId: id, deletedAt: null },
        data: { deletedAt: now },
      });
      await tx.eventDelivery.updateMany({
        where: { projectId: id, status: { in: ['Scheduled', 'Processing', 'Retry'] } },
        data: { status: 'Discarded', lastError: 'project deleted' },
      });
      return true;
    });
  }
}
