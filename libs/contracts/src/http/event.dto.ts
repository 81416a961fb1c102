import { z } from 'zod';
import { headerMapSchema, jsonValueSchema } from '../json';

const eventFields = {
  event_type: z.string().trim().min(1).max(255),
  data: jsonValueSchema,
  custom_headers: headerMapSchema.optional(),
  idempotency_key: z.string().min(1).max(255).optional(),
};

/** `POST /api/v1/projects/{projectID}/events`: Convoy's single-endpoint event. */
export const createEventBodySchema = z.object({ endpoint_id: z.string().min(1), ...eventFields });
export type CreateEventBody = z.infer<typeof createEventBodySchema>;

/** `POST /events/fanout`: every endpoint of an owner. */
export const createFanoutEventBodySchema = z.object({ owner_id: z.string().min(1), ...eventFields });
export type CreateFanoutEventBody = z.infer<typeof createFanoutEventBodySchema>;

/** `POST /events/broadcast`: every subscribed endpoint of the project. */
export const createBroadcastEventBodySchema = z.object(eventFields);
export type CreateBroadcastEventBody = z.infer<typeof createBroadcastEventBodySchema>;
