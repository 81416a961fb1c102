import { z } from 'zod';
import { UUID_PATTERN } from '../ids';
import { deliveryListQuerySchema, eventListQuerySchema } from './pagination.dto';

/** The most ids one force-resend takes, and the most events one batch replay touches. */
export const MAX_MANUAL_BATCH = 10_000;

/** `POST /eventdeliveries/forceresend`: Convoy's `models.IDs`. */
export const forceResendBodySchema = z.object({
  ids: z
    .array(z.string().regex(UUID_PATTERN, 'must be an event delivery id (UUID)'))
    .min(1, 'must list at least one event delivery id')
    .max(MAX_MANUAL_BATCH, `must list at most ${MAX_MANUAL_BATCH} ids`),
});
export type ForceResendBody = z.infer<typeof forceResendBodySchema>;

const pagination = {
  perPage: true,
  direction: true,
  next_page_cursor: true,
  prev_page_cursor: true,
  sort: true,
} as const;

/** `POST /eventdeliveries/batchretry` and `GET /countbatchretryevents`: the list filters, no paging. */
export const batchRetryQuerySchema = deliveryListQuerySchema.omit(pagination);
export type BatchRetryQuery = z.infer<typeof batchRetryQuerySchema>;

/** `POST /events/batchreplay`: the event list filters, no paging. */
export const batchReplayQuerySchema = eventListQuerySchema.omit(pagination);
export type BatchReplayQuery = z.infer<typeof batchReplayQuerySchema>;

/** `POST /events/batchreplay`'s data: "n successful, m failed", as Convoy's document types it. */
export const batchReplayResponseSchema = z.string();

/** What a batch operation did, as Convoy counts it ("n successful, m failed"). */
export const batchOperationResponseSchema = z.object({ successes: z.int(), failures: z.int() });
export type BatchOperationResult = z.infer<typeof batchOperationResponseSchema>;
