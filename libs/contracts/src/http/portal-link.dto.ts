import { z } from 'zod';
import { UUID_PATTERN } from '../ids';
import { pageQuerySchema } from './pagination.dto';
import { jsonValueSchema } from '../json';
import { createEndpointBodySchema, updateEndpointBodySchema } from './endpoint.dto';
import {
  attemptResponseSchema,
  deliveryResponseSchema,
  endpointResponseSchema,
} from './responses.dto';

const endpointIds = z
  .array(z.string().regex(UUID_PATTERN, 'must be an endpoint id (UUID)'))
  .max(1000);

/**
 * `POST /projects/{id}/portal-links` (Convoy's CreatePortalLinkRequest): a customer's view of the
 * endpoints with `owner_id`, or of the listed `endpoints` (one or the other).
 */
export const createPortalLinkBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255),
    owner_id: z.string().min(1).max(255).optional(),
    endpoints: endpointIds.optional(),
    can_manage_endpoint: z.boolean().default(false),
  })
  .refine((body) => (body.owner_id === undefined) !== (body.endpoints === undefined), {
    error: 'give either owner_id or endpoints',
    path: ['owner_id'],
  });
export type CreatePortalLinkBody = z.infer<typeof createPortalLinkBodySchema>;

/** `PUT /portal-links/{id}`: given fields replace; a new scope (`owner_id` or `endpoints`) replaces the old. */
export const updatePortalLinkBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255).optional(),
    owner_id: z.string().min(1).max(255).optional(),
    endpoints: endpointIds.optional(),
    can_manage_endpoint: z.boolean().optional(),
  })
  .refine((body) => body.owner_id === undefined || body.endpoints === undefined, {
    error: 'give either owner_id or endpoints, not both',
    path: ['owner_id'],
  });
export type UpdatePortalLinkBody = z.infer<typeof updatePortalLinkBodySchema>;

export const portalLinkListQuerySchema = pageQuerySchema.extend({
  ownerId: z.preprocess((value) => (value === '' ? undefined : value), z.string().optional()),
});
export type PortalLinkListQuery = z.infer<typeof portalLinkListQuerySchema>;

/** `GET /portal-links/{id}/refresh_token`: the new token itself, as Convoy answers it. */
export const portalLinkTokenResponseSchema = z.string();

export const portalLinkResponseSchema = z.object({
  uid: z.string(),
  project_id: z.string(),
  name: z.string(),
  owner_id: z.string(),
  endpoints: z.array(z.string()),
  endpoint_count: z.int(),
  can_manage_endpoint: z.boolean(),
  /** The bearer token: only in the answer that made it (create, refresh_token); else empty. */
  token: z.string(),
  /** The portal's address with the token: only when `token` is given; else empty. */
  url: z.string(),
  /** Identifies the token in lists (its full value is never stored). */
  token_prefix: z.string(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type PortalLinkResponse = z.infer<typeof portalLinkResponseSchema>;

/** What a portal token learns about its own link (never the token or other scopes). */
export const portalSelfResponseSchema = z.object({
  uid: z.string(),
  name: z.string(),
  owner_id: z.string(),
  can_manage_endpoint: z.boolean(),
  endpoint_count: z.int(),
});
export type PortalSelfResponse = z.infer<typeof portalSelfResponseSchema>;

/** The owner of a portal's endpoints is the link's: a body naming one is refused, not ignored. */
const notTheCustomers = z
  .never({ error: "is the portal link's owner; it cannot be set here" })
  .optional();

/** An endpoint made through the portal: its owner is the link's, never chosen by the customer. */
export const portalCreateEndpointBodySchema = createEndpointBodySchema
  .omit({ owner_id: true })
  .extend({ owner_id: notTheCustomers });
export type PortalCreateEndpointBody = z.infer<typeof portalCreateEndpointBodySchema>;
export const portalUpdateEndpointBodySchema = updateEndpointBodySchema
  .omit({ owner_id: true })
  .extend({ owner_id: notTheCustomers });
export type PortalUpdateEndpointBody = z.infer<typeof portalUpdateEndpointBodySchema>;

/** The customer's endpoint as the portal shows it (no project internals). */
export const portalEndpointResponseSchema = endpointResponseSchema.omit({
  project_id: true,
  custom_headers: true,
  ordered: true,
});
export type PortalEndpointResponse = z.infer<typeof portalEndpointResponseSchema>;

export const portalEventResponseSchema = z.object({
  uid: z.string(),
  event_type: z.string(),
  data: jsonValueSchema,
  /** The scope's endpoints it was sent to (never others). */
  endpoints: z.array(z.string()),
  idempotency_key: z.string(),
  accepted_at: z.iso.datetime(),
  created_at: z.iso.datetime(),
  updated_at: z.iso.datetime(),
});
export type PortalEventResponse = z.infer<typeof portalEventResponseSchema>;

export const portalDeliveryResponseSchema = deliveryResponseSchema.omit({
  project_id: true,
  subscription_id: true,
  idempotency_key: true,
  headers: true,
  target_url: true,
  event_metadata: true,
  endpoint_metadata: true,
});
export type PortalDeliveryResponse = z.infer<typeof portalDeliveryResponseSchema>;

export const portalAttemptResponseSchema = attemptResponseSchema.omit({ project_id: true });
export type PortalAttemptResponse = z.infer<typeof portalAttemptResponseSchema>;
export const portalAttemptListSchema = z.array(portalAttemptResponseSchema);
