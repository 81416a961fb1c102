import { Injectable } from '@nestjs/common';
import { Prisma } from '../generated/prisma/client';
import { PrismaService } from '../prisma.service';
import type { EventType } from '../records';

export interface NewEventType {
  id: string;
  name: string;
  category: string;
  description: string;
  /** A JSON Schema (any JSON object); null for none. */
  jsonSchema: Record<string, unknown> | null;
}

export interface EventTypePatch {
  category?: string;
  description?: string;
  jsonSchema?: Record<string, unknown> | null;
}

/** A project's event-type catalog (small: listed whole, by name). */
@Injectable()
export class EventTypeRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Throws a unique violation (`isUniqueViolation`) when the project has a type of that name. */
  create(projectId: string, type: NewEventType): Promise<EventType> {
    const { jsonSchema, ...rest } = type;
    return this.prisma.eventType.create({
      data: { ...rest, projectId, jsonSchema: asJson(jsonSchema) },
    });
  }

  findById(projectId: string, id: string): Promise<EventType | null> {
    return this.prisma.eventType.findFirst({ where: { id, projectId } });
  }

  list(projectId: string): Promise<EventType[]> {
    return this.prisma.eventType.findMany({ where: { projectId }, orderBy: { name: 'asc' } });
  }

  /** The types that carry a schema: what event validation compiles. */
  withSchemas(projectId: string): Promise<{ name: string; jsonSchema: Prisma.JsonValue }[]> {
    return this.prisma.eventType.findMany({
      where: { projectId, jsonSchema: { not: Prisma.DbNull } },
      select: { name: true, jsonSchema: true },
    });
  }

  async update(projectId: string, id: string, patch: EventTypePatch): Promise<EventType | null> {
    const { jsonSchema, ...rest } = patch;
    const { count } = await this.prisma.eventType.updateMany({
      where: { id, projectId },
      data: {
        ...rest,
        ...(jsonSchema === undefined ? {} : { jsonSchema: asJson(jsonSchema) }),
      },
    });
    return count === 0 ? null : this.findById(projectId, id);
  }

  /** Marks the type deprecated (the first time stands); null when not in the project. */
  async deprecate(projectId: string, id: string, at: Date): Promise<EventType | null> {
    await this.prisma.eventType.updateMany({
      where: { id, projectId, deprecatedAt: null },
      data: { deprecatedAt: at },
    });
    return this.findById(projectId, id);
  }
}

/** A schema as a JSON column value (SQL NULL for none). */
function asJson(
  schema: Record<string, unknown> | null,
): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return schema === null ? Prisma.DbNull : (schema as Prisma.InputJsonObject);
}
