import { z } from 'zod';

/** Ten years: the longest lifetime `expiration` may ask for (no expiry at all: leave both out). */
export const MAX_API_KEY_EXPIRATION_SECONDS = 10 * 365 * 24 * 3600;

/**
 * `POST /projects/{id}/keys`. The key never expires unless `expires_at` (RFC 3339, in the future)
 * or `expiration` (seconds from now) says otherwise; giving both is ambiguous and refused.
 */
export const createApiKeyBodySchema = z
  .object({
    name: z.string().trim().min(1).max(255).optional(),
    expires_at: z.iso.datetime({ offset: true }).optional(),
    expiration: z.int().min(1).max(MAX_API_KEY_EXPIRATION_SECONDS).optional(),
  })
  .refine((body) => body.expires_at === undefined || body.expiration === undefined, {
    error: 'give either expires_at or expiration, not both',
    path: ['expiration'],
  });
export type CreateApiKeyBody = z.infer<typeof createApiKeyBodySchema>;
