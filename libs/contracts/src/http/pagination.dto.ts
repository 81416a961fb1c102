import { z } from 'zod';

/** Convoy's cursor pagination query; cursors are opaque row ids (UUIDv7, so they sort by time). */
export const pageQuerySchema = z.object({
  perPage: z.coerce.number().int().min(1).max(1000).default(20),
  direction: z.enum(['next', 'prev']).default('next'),
  next_page_cursor: z.string().optional(),
  prev_page_cursor: z.string().optional(),
});
export type PageQuery = z.infer<typeof pageQuerySchema>;

export interface Pagination {
  per_page: number;
  has_next_page: boolean;
  has_prev_page: boolean;
  next_page_cursor: string;
  prev_page_cursor: string;
}

export interface Page<T> {
  content: T[];
  pagination: Pagination;
}

const stringList = z.preprocess(
  (value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]),
  z.array(z.string()).optional(),
);

export const eventListQuerySchema = pageQuerySchema.extend({
  endpointId: stringList,
  eventType: z.string().optional(),
  idempotencyKey: z.string().optional(),
  brokerMessageId: z.string().optional(),
  sourceId: z.string().optional(),
  startDate: z.iso.datetime({ offset: true }).optional(),
  endDate: z.iso.datetime({ offset: true }).optional(),
});
export type EventListQuery = z.infer<typeof eventListQuerySchema>;

export const deliveryStatusSchema = z.enum(['Scheduled', 'Processing', 'Success', 'Retry', 'Failure', 'Discarded']);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

export const deliveryListQuerySchema = pageQuerySchema.extend({
  eventId: z.string().optional(),
  endpointId: stringList,
  subscriptionId: z.string().optional(),
  status: z.preprocess(
    (value) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]),
    z.array(deliveryStatusSchema).optional(),
  ),
  startDate: z.iso.datetime({ offset: true }).optional(),
  endDate: z.iso.datetime({ offset: true }).optional(),
});
export type DeliveryListQuery = z.infer<typeof deliveryListQuerySchema>;
