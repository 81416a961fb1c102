import { z } from 'zod';
import { jsonValueSchema } from '../json';

export const filterConfigSchema = z.object({
  event_types: z.array(z.string().min(1)).min(1).default(['*']),
  filter: z
    .object({
      headers: z.record(z.string(), jsonValueSchema).default({}),
      body: z.record(z.string(), jsonValueSchema).default({}),
    })
    .prefault({}),
});
export type FilterConfig = z.infer<typeof filterConfigSchema>;

export const createSubscriptionBodySchema = z.object({
  name: z.string().trim().min(1).max(255),
  endpoint_id: z.string().min(1),
  source_id: z.string().min(1).optional(),
  filter_config: filterConfigSchema.prefault({}),
  delivery_mode: z.enum(['at_least_once', 'at_most_once']).default('at_least_once'),
});
export type CreateSubscriptionBody = z.infer<typeof createSubscriptionBodySchema>;

/** `PUT /subscriptions/{id}`: absent fields keep their value; filter parts given replace theirs. */
export const updateSubscriptionBodySchema = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  endpoint_id: z.string().min(1).optional(),
  source_id: z.string().min(1).nullable().optional(),
  filter_config: z
    .object({
      event_types: z.array(z.string().min(1)).min(1).optional(),
      filter: z
        .object({
          headers: z.record(z.string(), jsonValueSchema).optional(),
          body: z.record(z.string(), jsonValueSchema).optional(),
        })
        .optional(),
    })
    .optional(),
  delivery_mode: z.enum(['at_least_once', 'at_most_once']).optional(),
});
export type UpdateSubscriptionBody = z.infer<typeof updateSubscriptionBodySchema>;

/** `POST /subscriptions/test_filter` (Convoy's body): does this sample request pass these filters? */
export const testFilterBodySchema = z.object({
  request: z.object({
    body: jsonValueSchema.default({}),
    headers: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
  }),
  schema: z
    .object({
      body: z.record(z.string(), jsonValueSchema).nullable().default({}),
      headers: z.record(z.string(), jsonValueSchema).nullable().default({}),
    })
    .prefault({}),
});
export type TestFilterBody = z.infer<typeof testFilterBodySchema>;
