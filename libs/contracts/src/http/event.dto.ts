import { z } from 'zod';
import { jsonValueSchema, eventHeaderMapSchema } from '../json';

const eventFields = {
  event_type: z.string().trim().min(1).max(255),
  data: jsonValueSchema,
  custom_headers: eventHeaderMapSchema.optional(),
  /** Convoy treats an empty key as no key (its dynamic-event example sends `""`). */
  idempotency_key: z
    .string()
    .max(255)
    .transform((key) => (key === '' ? undefined : key))
    .optional(),
};

/** `POST /api/v1/projects/{projectID}/events`: Convoy's single-endpoint event. */
export const createEventBodySchema = z.object({ endpoint_id: z.string().min(1), ...eventFields });
export type CreateEventBody = z.infer<typeof createEventBodySchema>;

/** `POST /events/fanout`: every endpoint of an owner. */
export const createFanoutEventBodySchema = z.object({
  owner_id: z.string().min(1),
  ...eventFields,
});
export type CreateFanoutEventBody = z.infer<typeof createFanoutEventBodySchema>;

/** `POST /events/broadcast`: every subscribed endpoint of the project. */
export const createBroadcastEventBodySchema = z.object(eventFields);
export type CreateBroadcastEventBody = z.infer<typeof createBroadcastEventBodySchema>;

/**
 * `POST /events/dynamic`: no endpoint id; the endpoint for `url` is found or made (and given a
 * subscription to `event_types`, `["*"]` by default), then the event goes to it.
 */
export const createDynamicEventBodySchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).max(2048),
  secret: z.string().min(8).max(256).optional(),
  event_types: z.array(z.string().trim().min(1).max(255)).min(1).optional(),
  ...eventFields,
});
export type CreateDynamicEventBody = z.infer<typeof createDynamicEventBodySchema>;
