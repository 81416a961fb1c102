import { Injectable } from '@nestjs/common';
import {
  newId,
  UUID_PATTERN,
  type CreateEventTypeBody,
  type UpdateEventTypeBody,
} from '@flotilla/contracts';
import { EventTypeRepository, isUniqueViolation, type EventType } from '@flotilla/db';
import {
  buildWebhooksDocument,
  compileEventSchema,
  InvalidSchemaError,
  type JsonSchemaObject,
} from '@flotilla/event-schemas';
import { ManagementError } from './management-error';
import { ProjectsService } from './projects.service';

/**
 * The project's event-type catalog: names, categories, descriptions and a JSON Schema per type.
 * Schemas are compiled when saved, so a schema that cannot check events is refused at once.
 */
@Injectable()
export class EventTypesService {
  constructor(
    private readonly types: EventTypeRepository,
    private readonly projects: ProjectsService,
  ) {}

  async create(projectId: string, body: CreateEventTypeBody): Promise<EventType> {
    await this.projects.get(projectId);
    const jsonSchema = checkedSchema(body.json_schema);
    try {
      return await this.types.create(projectId, {
        id: newId(),
        name: body.name,
        category: body.category,
        description: body.description,
        jsonSchema,
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ManagementError(
          'conflict',
          `name: this project already has an event type named "${body.name}"`,
          'name',
        );
      }
      throw error;
    }
  }

  async list(projectId: string): Promise<EventType[]> {
    await this.projects.get(projectId);
    return this.types.list(projectId);
  }

  async update(projectId: string, id: string, body: UpdateEventTypeBody): Promise<EventType> {
    const jsonSchema = body.json_schema === undefined ? undefined : checkedSchema(body.json_schema);
    const updated = UUID_PATTERN.test(id)
      ? await this.types.update(projectId, id, {
          ...(body.category !== undefined ? { category: body.category } : {}),
          ...(body.description !== undefined ? { description: body.description } : {}),
          ...(jsonSchema !== undefined ? { jsonSchema } : {}),
        })
      : null;
    if (!updated) throw new ManagementError('not_found', `event type ${id} not found`);
    return updated;
  }

  /** Idempotent: a deprecated type keeps its first deprecation time. */
  async deprecate(projectId: string, id: string): Promise<EventType> {
    const type = UUID_PATTERN.test(id)
      ? await this.types.deprecate(projectId, id, new Date())
      : null;
    if (!type) throw new ManagementError('not_found', `event type ${id} not found`);
    return type;
  }

  /** The catalog as an OpenAPI 3.1 document of `webhooks`, one per event type. */
  async webhooksDocument(projectId: string): Promise<Record<string, unknown>> {
    const project = await this.projects.get(projectId);
    const types = await this.types.list(projectId);
    return buildWebhooksDocument({
      title: `${project.name} webhooks`,
      description: `The events Flotilla project ${project.name} (${project.id}) sends to its endpoints.`,
      eventTypes: types.map((type) => ({
        name: type.name,
        category: type.category,
        description: type.description,
        jsonSchema: type.jsonSchema as JsonSchemaObject | null,
        deprecated: type.deprecatedAt !== null,
      })),
    });
  }
}

/** The schema as given (null removes it), once it is known to compile. */
function checkedSchema(
  schema: Record<string, unknown> | null | undefined,
): JsonSchemaObject | null {
  if (schema === undefined || schema === null) return null;
  try {
    compileEventSchema(schema);
  } catch (error) {
    if (error instanceof InvalidSchemaError) {
      throw new ManagementError(
        'validation',
        `json_schema: not a usable JSON Schema (draft 2020-12): ${error.message}`,
        'json_schema',
      );
    }
    throw error;
  }
  return schema;
}
