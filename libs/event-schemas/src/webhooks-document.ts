import { exampleFromSchema } from './example';
import type { JsonSchemaObject } from './event-schema';

export interface CatalogEntry {
  name: string;
  category: string;
  description: string;
  jsonSchema: JsonSchemaObject | null;
  deprecated: boolean;
}

/**
 * A project's event-type catalog as an OpenAPI 3.1 document whose `webhooks` are the events its
 * endpoints receive: one POST per type, the body being the event's `data` as delivered. Code
 * generators and API browsers read it like any other OpenAPI document.
 */
export function buildWebhooksDocument(options: {
  title: string;
  description?: string;
  eventTypes: readonly CatalogEntry[];
}): Record<string, unknown> {
  const sorted = [...options.eventTypes].sort((a, b) => a.name.localeCompare(b.name));
  // fromEntries defines own properties, so no type name (not even `__proto__`) reaches a prototype.
  const webhooks = Object.fromEntries(
    sorted.map((type) => {
      const schema = type.jsonSchema ?? {};
      return [
        type.name,
        {
          post: {
            operationId: `webhook_${type.name.replace(/[^A-Za-z0-9_]/g, '_')}`,
            summary: type.name,
            ...(type.description ? { description: type.description } : {}),
            ...(type.category ? { tags: [type.category] } : {}),
            ...(type.deprecated ? { deprecated: true } : {}),
            requestBody: {
              required: true,
              content: {
                'application/json': { schema, example: exampleFromSchema(schema) },
              },
            },
            responses: { '200': { description: 'Any 2xx answer acknowledges the delivery' } },
          },
        },
      ];
    }),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: options.title,
      version: '1.0.0',
      ...(options.description ? { description: options.description } : {}),
    },
    webhooks,
  };
}
