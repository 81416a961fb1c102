import type { EventTypeResponse } from '@flotilla/contracts';
import type { EventType } from '@flotilla/db';
import { exampleFromSchema, type JsonSchemaObject } from '@flotilla/event-schemas';

/** Convoy's event type, plus an example payload that fits its schema. */
export function presentEventType(type: EventType): EventTypeResponse {
  const schema = type.jsonSchema as JsonSchemaObject | null;
  return {
    uid: type.id,
    name: type.name,
    category: type.category,
    description: type.description,
    json_schema: schema,
    example: schema ? exampleFromSchema(schema) : {},
    deprecated_at: type.deprecatedAt?.toISOString() ?? null,
    created_at: type.createdAt.toISOString(),
    updated_at: type.updatedAt.toISOString(),
  };
}
