import { Injectable } from '@nestjs/common';
import { projectConfigSchema } from '@flotilla/contracts';
import { EventTypeRepository, ProjectRepository } from '@flotilla/db';
import {
  compileEventSchema,
  type CompiledEventSchema,
  type JsonSchemaObject,
} from '@flotilla/event-schemas';
import { IngestError } from '../ingest-errors';

/** How long a project's validation settings and compiled schemas are reused. */
export const SCHEMA_CACHE_MS = 5000;
const MAX_CACHED_PROJECTS = 10_000;

/** A project's validation state: off (the common case), or a validator per event type with a schema. */
type ProjectValidators = ReadonlyMap<string, CompiledEventSchema> | 'off';

interface CacheEntry {
  loadedAt: number;
  validators: Promise<ProjectValidators>;
}

/**
 * Checks an API event's `data` against its type's JSON schema when the project turned
 * `config.schema_validation` on. Kept off the hot path's cost: a project's settings and compiled
 * validators are loaded once per SCHEMA_CACHE_MS (concurrent requests share the load), and a
 * project with validation off costs one map lookup. Catalog and config changes apply within that time.
 */
@Injectable()
export class EventDataValidator {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly projects: ProjectRepository,
    private readonly eventTypes: EventTypeRepository,
  ) {}

  /** Throws IngestError('invalid_data') naming the JSON path (`data.customer.id`) that fails. */
  async check(projectId: string, eventType: string, data: unknown): Promise<void> {
    const validators = await this.validatorsOf(projectId);
    if (validators === 'off') return;
    const violation = validators.get(eventType)?.check(data);
    if (violation) {
      throw new IngestError(
        'invalid_data',
        `${violation.field}: ${violation.message} (schema of event type ${eventType})`,
        violation.field,
      );
    }
  }

  private validatorsOf(projectId: string): Promise<ProjectValidators> {
    const now = Date.now();
    const cached = this.cache.get(projectId);
    if (cached && now - cached.loadedAt < SCHEMA_CACHE_MS) return cached.validators;
    if (this.cache.size >= MAX_CACHED_PROJECTS) this.cache.clear();
    const validators = this.load(projectId);
    this.cache.set(projectId, { loadedAt: now, validators });
    // A failed load is not kept: the next event tries again.
    validators.catch(() => this.cache.delete(projectId));
    return validators;
  }

  private async load(projectId: string): Promise<ProjectValidators> {
    const project = await this.projects.findById(projectId);
    const config = projectConfigSchema.safeParse(project?.config ?? {});
    if (!config.success || !config.data.schema_validation.is_enabled) return 'off';
    const validators = new Map<string, CompiledEventSchema>();
    for (const type of await this.eventTypes.withSchemas(projectId)) {
      try {
        validators.set(type.name, compileEventSchema(type.jsonSchema as JsonSchemaObject));
      } catch {
        // Saved schemas were compiled when saved; one that no longer compiles checks nothing.
      }
    }
    return validators;
  }
}
