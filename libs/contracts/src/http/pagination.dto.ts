import { z } from 'zod';
import { UUID_PATTERN } from '../ids';

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

// Convoy's clients send filters they leave unset as empty parameters (`eventType=`): absent.
const blankIsAbsent = (value: unknown): unknown => (value === '' ? undefined : value);
const toList = (value: unknown): unknown => {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).filter((item) => item !== '');
  return list.length === 0 ? undefined : list;
};

const idMessage = 'must be an id (UUID)';
/** One id in a query parameter; malformed ids are a 400 naming the parameter. */
const idParam = z.preprocess(blankIsAbsent, z.string().regex(UUID_PATTERN, idMessage).optional());
/** A repeatable id parameter (`endpointId=a&endpointId=b`, or `endpointId[]=a`). */
const idList = z.preprocess(
  toList,
  z
    .array(z.string())
    .refine((values) => values.every((value) => UUID_PATTERN.test(value)), idMessage)
    .optional(),
);
// PostgreSQL text cannot hold NUL: refused here rather than failing the query.
const textParam = z.preprocess(
  blankIsAbsent,
  z
    .string()
    .regex(/^[^\0]*$/, 'must not contain NUL characters')
    .optional(),
);
/** Convoy's own format, `2006-01-02T15:04:05`: no zone, which Convoy reads as UTC. */
const ZONELESS_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/;
/** RFC 3339 with an offset, or Convoy's zone-less form taken as UTC. */
const dateParam = z.preprocess(
  (value) => {
    const present = blankIsAbsent(value);
    return typeof present === 'string' && ZONELESS_DATE_TIME.test(present)
      ? `${present}Z`
      : present;
  },
  z.iso.datetime({ offset: true }).optional(),
);

/**
 * The order of the event log lists: newest first (Convoy's default) or oldest first. Convoy
 * spells it `ASC`/`DESC`; any case is taken.
 */
export const sortParamSchema = z.preprocess(
  (value) => (typeof value === 'string' ? value.toLowerCase() : value),
  z.enum(['asc', 'desc']).default('desc'),
);

/** Convoy's `QueryListEndpoint` (api/models/endpoint.go): `q` matches names, `ownerId` an owner. */
export const endpointListQuerySchema = pageQuerySchema.extend({
  q: textParam,
  ownerId: textParam,
});
export type EndpointListQuery = z.infer<typeof endpointListQuerySchema>;

/** Convoy's `QueryListSubscription` (api/models/subscription.go): endpoints and a name. */
export const subscriptionListQuerySchema = pageQuerySchema.extend({
  endpointId: idList,
  name: textParam,
});
export type SubscriptionListQuery = z.infer<typeof subscriptionListQuerySchema>;

/** Convoy's `QueryListSource` (api/models/source.go): its type, provider and a name search. */
export const sourceListQuerySchema = pageQuerySchema.extend({
  type: z.preprocess(
    blankIsAbsent,
    z.enum(['http', 'pub_sub'], { error: 'must be http or pub_sub' }).optional(),
  ),
  provider: textParam,
  q: textParam,
});
export type SourceListQuery = z.infer<typeof sourceListQuerySchema>;

/** Convoy's `QueryListMetaEvent` (api/models/meta_event.go): a date range. */
export const metaEventListQuerySchema = pageQuerySchema.extend({
  startDate: dateParam,
  endDate: dateParam,
});
export type MetaEventListQuery = z.infer<typeof metaEventListQuerySchema>;

export const eventListQuerySchema = pageQuerySchema.extend({
  sort: sortParamSchema,
  /** Every endpoint the event was sent to matches, fan-out and broadcast recipients included. */
  endpointId: idList,
  /** Fan-out events to this owner id. */
  ownerId: textParam,
  eventType: textParam,
  idempotencyKey: textParam,
  brokerMessageId: textParam,
  sourceId: idParam,
  startDate: dateParam,
  endDate: dateParam,
});
export type EventListQuery = z.infer<typeof eventListQuerySchema>;

export const deliveryStatusSchema = z.enum([
  'Scheduled',
  'Processing',
  'Success',
  'Retry',
  'Failure',
  'Discarded',
]);
export type DeliveryStatus = z.infer<typeof deliveryStatusSchema>;

export const deliveryListQuerySchema = pageQuerySchema.extend({
  sort: sortParamSchema,
  eventId: idParam,
  endpointId: idList,
  subscriptionId: idParam,
  eventType: textParam,
  /** A published Convoy client spells the delivery list's filter `event_type`. */
  event_type: textParam,
  idempotencyKey: textParam,
  brokerMessageId: textParam,
  status: z.preprocess(
    toList,
    z
      .array(z.string())
      .refine(
        (values) => values.every((value) => deliveryStatusSchema.safeParse(value).success),
        `must be one of ${deliveryStatusSchema.options.join(', ')}`,
      )
      .transform((values) => values as DeliveryStatus[])
      .optional(),
  ),
  startDate: dateParam,
  endDate: dateParam,
});
export type DeliveryListQuery = z.infer<typeof deliveryListQuerySchema>;

/** `GET /eventdeliveries/statustotals`: the delivery list filters, no paging. */
export const deliveryStatusTotalsQuerySchema = deliveryListQuerySchema.omit({
  perPage: true,
  direction: true,
  next_page_cursor: true,
  prev_page_cursor: true,
  sort: true,
});
export type DeliveryStatusTotalsQuery = z.infer<typeof deliveryStatusTotalsQuerySchema>;
