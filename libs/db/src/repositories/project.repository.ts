import { Injectable } from '@nestjs/common';
import type { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { ApiKey, Project } from '../records';

export interface NewApiKey {
  id: string;
  name: string;
  prefix: string;
  keyHash: string;
  expiresAt?: Date | null;
}

@Injectable()
export class ProjectRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A project and its first API key, together or not at all. */
  async createWithApiKey(
    project: { id: string; name: string; type: 'outgoing' | 'incoming'; config: Prisma.InputJsonValue },
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
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The key with this prefix if it is neither revoked nor expired, with its (live) project. */
  async findUsable(prefix: string, now = new Date()): Promise<(ApiKey & { project: Project }) | null> {
    return this.prisma.apiKey.findFirst({
      where: {
        prefix,
        revokedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
        project: { deletedAt: null },
      },
      include: { project: true },
    });
  }
}
