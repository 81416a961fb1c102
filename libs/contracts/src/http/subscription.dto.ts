import { z } from 'zod';
import { jsonValueSchema } from '../json';

/**
 * Convoy's filters also match a request's query and path; Flotilla's events carry neither (an
 * event is its type, headers and body), so a condition on them could never be checked. Empty or
 * null, as Convoy's clients send them when unused, is taken; anything else is a 400 saying why.
 */
const unsupportedPart = (part: string) =>
  z
    .record(z.string(), jsonValueSchema)
    .nullable()
    .optional()
    .refine(
      (value) => value === undefined || value === null || Object.keys(value).length === 0,
      `filtering on the request ${part} is not supported: Flotilla events have a type, headers and a body, and no ${part}`,
    );

export const filterConfigSchema = z.object({
  event_types: z.array(z.string().min(1)).min(1).default(['*']),
  /** Convoy's `FS`: `headers` (plural) and `body`; unknown keys are refused. */
  filter: z
    .strictObject({
      headers: z.record(z.string(), jsonValueSchema).default({}),
      body: z.record(z.string(), jsonValueSchema).default({}),
      query: unsupportedPart('query'),
      path: unsupportedPart('path'),
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
        .strictObject({
          headers: z.record(z.string(), jsonValueSchema).optional(),
          body: z.record(z.string(), jsonValueSchema).optional(),
          query: unsupportedPart('query'),
          path: unsupportedPart('path'),
        })
        .optional(),
    })
    .optional(),
  delivery_mode: z.enum(['at_least_once', 'at_most_once']).optional(),
});
export type UpdateSubscriptionBody = z.infer<typeof updateSubscriptionBodySchema>;

const sampleHeaders = z.record(z.string(), z.union([z.string(), z.array(z.string())]));
const filterHeaders = z.record(z.string(), jsonValueSchema).nullable();

/**
 * `POST /subscriptions/test_filter`: does this sample request pass these filters? Convoy's
 * `FilterSchema` (api/models/subscription.go) names the headers `header`, singular, in both the
 * request and the schema, unlike a stored filter's `headers`; `headers` is taken too, as Flotilla
 * took it before. Unknown keys are refused, so a misspelt part never passes silently.
 */
export const testFilterBodySchema = z
  .object({
    request: z.strictObject({
      body: jsonValueSchema.default({}),
      header: sampleHeaders.optional(),
      headers: sampleHeaders.optional(),
      query: unsupportedPart('query'),
      path: unsupportedPart('path'),
    }),
    schema: z
      .strictObject({
        body: z.record(z.string(), jsonValueSchema).nullable().default({}),
        header: filterHeaders.optional(),
        headers: filterHeaders.optional(),
        query: unsupportedPart('query'),
        path: unsupportedPart('path'),
      })
      .prefault({}),
  })
  .transform(({ request, schema }) => ({
    request: { body: request.body, headers: request.header ?? request.headers ?? {} },
    schema: { body: schema.body, headers: schema.header ?? schema.headers ?? {} },
  }));
export type TestFilterBody = z.infer<typeof testFilterBodySchema>;
