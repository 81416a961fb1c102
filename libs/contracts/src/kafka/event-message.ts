import { z } from 'zod';
import { headerMapSchema, jsonValueSchema } from '../json';

export const eventTargetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('single'), endpoint_id: z.string().min(1) }),
  z.object({ kind: z.literal('fanout'), owner_id: z.string().min(1) }),
  z.object({ kind: z.literal('broadcast') }),
]);
export type EventTarget = z.infer<typeof eventTargetSchema>;

/**
 * An accepted event on `flotilla.events.v1`. The event id is assigned at ingestion (UUIDv7) and makes
 * every later step idempotent; `data` travels as the exact JSON text the producer sent, so the bytes
 * delivered are the bytes accepted.
 */
export const eventMessageV1Schema = z.object({
  v: z.literal(1),
  event_id: z.uuid(),
  project_id: z.string().min(1),
  target: eventTargetSchema,
  event_type: z.string().min(1).max(255),
  data: z.string(),
  custom_headers: headerMapSchema.default({}),
  idempotency_key: z.string().min(1).max(255).optional(),
  source_id: z.string().optional(),
  /**
   * An incoming webhook of the http source `source_id`: only that source's subscriptions take it.
   * Said by ingest, so a route stage whose cached table predates a new source still knows it.
   */
  from_http_source: z.literal(true).optional(),
  broker_message_id: z.string().optional(),
  accepted_at: z.iso.datetime(),
});
export type EventMessageV1 = z.infer<typeof eventMessageV1Schema>;

export function eventMessageKey(message: Pick<EventMessageV1, 'project_id' | 'target'>): string {
  switch (message.target.kind) {
    case 'single':
      return message.target.endpoint_id;
    case 'fanout':
      return `${message.project_id}:${message.target.owner_id}`;
    case 'broadcast':
      return message.project_id;
  }
}

export { jsonValueSchema };
