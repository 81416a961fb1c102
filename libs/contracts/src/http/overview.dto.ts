import { z } from 'zod';

/** `GET /projects/{id}/overview`: the window, by default the last 24 hours. */
export const overviewQuerySchema = z
  .object({
    startDate: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.iso.datetime({ offset: true }).optional(),
    ),
    endDate: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.iso.datetime({ offset: true }).optional(),
    ),
  })
  .refine(
    (query) =>
      query.startDate === undefined ||
      query.endDate === undefined ||
      new Date(query.startDate) <= new Date(query.endDate),
    { error: 'must not be before startDate', path: ['endDate'] },
  );
export type OverviewQuery = z.infer<typeof overviewQuerySchema>;

const statusCounts = z.object({
  Scheduled: z.int(),
  Processing: z.int(),
  Success: z.int(),
  Retry: z.int(),
  Failure: z.int(),
  Discarded: z.int(),
});

export const projectOverviewResponseSchema = z.object({
  window: z.object({ start: z.iso.datetime(), end: z.iso.datetime() }),
  deliveries: statusCounts,
  /** Success / (Success + Failure) of the deliveries in the window; null when none finished. */
  success_ratio: z.number().nullable(),
  /** Of the deliveries' last attempts; null when none was attempted. */
  latency_ms: z.object({ p50: z.int(), p99: z.int(), samples: z.int() }).nullable(),
  failing_endpoints: z.array(
    z.object({
      uid: z.string(),
      name: z.string(),
      url: z.string(),
      status: z.string(),
      disabled_reason: z.string(),
      failing: z.int(),
      total: z.int(),
    }),
  ),
});
export type ProjectOverviewResponse = z.infer<typeof projectOverviewResponseSchema>;
