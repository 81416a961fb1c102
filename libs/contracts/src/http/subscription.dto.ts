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
