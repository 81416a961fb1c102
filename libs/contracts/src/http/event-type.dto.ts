import { z } from 'zod';

/** An event type's name as producers send it (`invoice.paid`): no spaces or control characters. */
const eventTypeName = z
  .string()
  .trim()
  .min(1)
  .max(255)
  .regex(/^[^\s\p{Cc}]+$/u, 'must not contain spaces or control characters');

/** A JSON Schema (draft 2020-12, OpenAPI 3.1's dialect) for the event's `data`. */
const jsonSchemaObject = z.record(z.string(), z.unknown());

/** `POST /projects/{id}/event-types` (Convoy's CreateEventType). */
export const createEventTypeBodySchema = z.object({
  name: eventTypeName,
  category: z.string().max(255).default(''),
  description: z.string().max(2000).default(''),
  json_schema: jsonSchemaObject.nullable().optional(),
});
export type CreateEventTypeBody = z.infer<typeof createEventTypeBodySchema>;

/** `PUT /projects/{id}/event-types/{id}`: given fields replace; `json_schema: null` removes it. */
export const updateEventTypeBodySchema = z.object({
  category: z.string().max(255).optional(),
  description: z.string().max(2000).optional(),
  json_schema: jsonSchemaObject.nullable().optional(),
});
export type UpdateEventTypeBody = z.infer<typeof updateEventTypeBodySchema>;

export const eventTypeResponseSchema = z.object({
  uid: z.string(),
  name: z.string(),
  category: z.string(),
  description: z.string(),
  json_schema: jsonSchemaObject.nullable(),
  /** A payload that fits the schema (its own examples where it has them), for catalogs. */
  example: z.unknown(),
  deprecated_at: z.iso.datetime().nullable(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type EventTypeResponse = z.infer<typeof eventTypeResponseSchema>;

export const eventTypeListSchema = z.array(eventTypeResponseSchema);
