import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { ApiKey, Cursor, PageResult } from '../records';
import { keysetPage } from './paging';

export interface NewApiKey {
  id: string;
  name: string;
  prefix: string;
  keyHash: string;
  expiresAt?: Date | null;
}

/** A key as authentication needs it: revoked and expired ones too, so the refusal can say why. */
export type ApiKeyWithProjectState = ApiKey & { project: { deletedAt: Date | null } };

/** A unique index refused the write (Prisma's P2002): the caller answers 409 naming the field. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Throws a unique violation (`isUniqueViolation`) when the project already has a key of that name. */
  create(projectId: string, key: NewApiKey): Promise<ApiKey> {
    return this.prisma.apiKey.create({ data: { ...key, projectId } });
  }

  findByPrefix(prefix: string): Promise<ApiKeyWithProjectState | null> {
    return this.prisma.apiKey.findUnique({
      where: { prefix },
      include: { project: { select: { deletedAt: true } } },
    });
  }

  findById(projectId: string, id: string): Promise<ApiKey | null> {
    return this.prisma.apiKey.findFirst({ where: { id, projectId } });
  }

  /** The project's keys, revoked and expired ones included, newest first. */
  page(projectId: string, cursor: Cursor): Promise<PageResult<ApiKey>> {
    return keysetPage(cursor, ({ where, orderBy, take }) =>
      this.prisma.apiKey.findMany({ where: { ...where, projectId }, orderBy, take }),
    );
  }

  /** Revokes the key unless it already is (the first revocation time stands); null if not in the project. */
  async revoke(projectId: string, id: string, at: Date): Promise<ApiKey | null> {
    await this.prisma.apiKey.updateMany({
      where: { id, projectId, revokedAt: null },
      data: { revokedAt: at },
    });
    return this.findById(projectId, id);
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.prisma.apiKey.updateMany({ where: { id }, data: { lastUsedAt: at } });
  }
}
