import { z } from 'zod';
import { sendableHeaderMapSchema, unsendableHeaderReason } from '../json';
import { durationSecondsSchema } from './duration-seconds';

export const endpointStatusSchema = z.enum(['active', 'inactive', 'paused']);
export type EndpointStatus = z.infer<typeof endpointStatusSchema>;

const apiKeyAuthenticationSchema = z.object({
  type: z.literal('api_key'),
  api_key: z.object({
    header_name: z.string().superRefine((name, ctx) => {
      const reason = unsendableHeaderReason(name);
      if (reason) ctx.addIssue({ code: 'custom', message: reason });
    }),
    header_value: z
      .string()
      .min(1)
      .max(4096)
      .regex(
        /^[\t\x20-\x7e\x80-\xff]*$/,
        'must contain only tab, printable ASCII and Latin-1 characters (no control characters)',
      ),
  }),
});

/** What stands in for a stored credential in answers: it is kept, never shown. */
export const REDACTED_CREDENTIAL = '[REDACTED]';

/** Convoy's names for the token response's fields, when the token endpoint uses others. */
export const oauth2FieldMappingSchema = z.object({
  access_token: z.string().min(1).max(255).optional(),
  token_type: z.string().min(1).max(255).optional(),
  expires_in: z.string().min(1).max(255).optional(),
});

/**
 * OAuth2 client credentials (Convoy's `oauth2`): Flotilla POSTs `grant_type=client_credentials`,
 * `client_id`, `client_secret` (and `scope`, `audience`) form-encoded to `url`, caches the token
 * until shortly before it expires and sends it as `Authorization: Bearer`. Only `shared_secret`
 * client authentication is supported; `client_assertion` (a signed JWT) is refused.
 */
export const oauth2SettingsSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).max(2048),
  client_id: z.string().min(1).max(1024),
  /**
   * Required when the endpoint has none yet. Omitted (or `[REDACTED]`, as answers show it) on an
   * update, the stored secret is kept.
   */
  client_secret: z.string().min(1).max(4096).optional(),
  grant_type: z
    .literal('client_credentials', { error: 'only client_credentials is supported' })
    .default('client_credentials'),
  scope: z.string().max(2048).optional(),
  audience: z.string().max(2048).optional(),
  authentication_type: z
    .enum(['shared_secret', 'client_assertion'])
    .default('shared_secret')
    .refine((value) => value === 'shared_secret', {
      error: 'client_assertion is not supported; use shared_secret with a client_secret',
    }),
  field_mapping: oauth2FieldMappingSchema.optional(),
  /** The unit of the token response's `expires_in` (default seconds). */
  expiry_time_unit: z.enum(['seconds', 'milliseconds', 'minutes', 'hours']).optional(),
});
export type OAuth2Settings = z.infer<typeof oauth2SettingsSchema>;

const oauth2AuthenticationSchema = z.object({
  type: z.literal('oauth2'),
  oauth2: oauth2SettingsSchema,
});

export const endpointAuthenticationSchema = z.discriminatedUnion('type', [
  apiKeyAuthenticationSchema,
  oauth2AuthenticationSchema,
]);
export type EndpointAuthentication = z.infer<typeof endpointAuthenticationSchema>;

/** An endpoint's authentication as answers show it: the OAuth2 client secret is `[REDACTED]`. */
export const endpointAuthenticationResponseSchema = z.discriminatedUnion('type', [
  apiKeyAuthenticationSchema,
  z.object({
    type: z.literal('oauth2'),
    oauth2: oauth2SettingsSchema.extend({
      client_secret: z.string(),
      grant_type: z.literal('client_credentials'),
      authentication_type: z.literal('shared_secret'),
    }),
  }),
]);

const pem = (what: string) =>
  z
    .string()
    .max(64 * 1024)
    .refine((value) => value.includes('-----BEGIN '), { error: `must be a PEM ${what}` });

/**
 * mTLS (Convoy's `mtls_client_cert`): the client certificate (PEM, optionally followed by its
 * chain) and its private key, presented on TLS connections to the endpoint. The key is kept
 * encrypted and shown as `[REDACTED]`; on an update `[REDACTED]` keeps the stored key.
 */
export const mtlsClientCertSchema = z.object({
  client_cert: pem('certificate'),
  client_key: z.union([z.literal(REDACTED_CREDENTIAL), pem('private key')]),
});
export type MtlsClientCert = z.infer<typeof mtlsClientCertSchema>;

export const mtlsClientCertResponseSchema = z.object({
  client_cert: z.string(),
  client_key: z.string(),
});

/**
 * How an endpoint signs (a Flotilla extension, Standard Webhooks projects only): `hmac-sha256`
 * (`v1`, a shared `whsec_` secret) or `ed25519` (`v1a`, a `whsk_` key kept by Flotilla; receivers
 * verify with its `whpk_` public key, which cannot forge a request).
 */
export const signatureAlgorithmSchema = z.enum(['hmac-sha256', 'ed25519']);
export type SignatureAlgorithm = z.infer<typeof signatureAlgorithmSchema>;

export const createEndpointBodySchema = z.object({
  name: z.string().trim().min(1).max(255),
  url: z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }).max(2048),
  secret: z.string().min(8).max(256).optional(),
  /** Default `hmac-sha256`, or `ed25519` when `secret` is a `whsk_` key. */
  signature_algorithm: signatureAlgorithmSchema.optional(),
  owner_id: z.string().min(1).max(255).optional(),
  description: z.string().max(2000).optional(),
  advanced_signatures: z.boolean().default(true),
  support_email: z.email().optional(),
  /** Seconds, as in Convoy. */
  http_timeout: durationSecondsSchema(1, 300).default(10),
  rate_limit: z.int().min(0).default(0),
  rate_limit_duration: durationSecondsSchema(1, 86_400).default(1),
  content_type: z.string().default('application/json'),
  custom_headers: sendableHeaderMapSchema.default({}),
  authentication: endpointAuthenticationSchema.optional(),
  mtls_client_cert: mtlsClientCertSchema.optional(),
  ordered: z.boolean().default(false),
});
export type CreateEndpointBody = z.infer<typeof createEndpointBodySchema>;

/** `PUT /endpoints/{id}/expire_secret`: rotate. The current secret keeps signing for `expiration` s. */
export const expireSecretBodySchema = z.object({
  secret: z.string().min(8).max(256).optional(),
  /** The new secret's algorithm; default the endpoint's current one (so a switch can overlap too). */
  signature_algorithm: signatureAlgorithmSchema.optional(),
  expiration: z
    .int()
    .min(0)
    .max(30 * 24 * 3600),
});
export type ExpireSecretBody = z.infer<typeof expireSecretBodySchema>;

/**
 * `PUT /endpoints/{id}`: a partial update; absent fields keep their value, `null` clears an optional
 * one. A `secret` replaces every secret at once (use expire_secret for a rotation with overlap).
 */
export const updateEndpointBodySchema = z.object({
  name: z.string().trim().min(1).max(255).optional(),
  url: z
    .url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' })
    .max(2048)
    .optional(),
  secret: z.string().min(8).max(256).optional(),
  /** A different algorithm than the current one replaces every secret at once, as `secret` does. */
  signature_algorithm: signatureAlgorithmSchema.optional(),
  owner_id: z.string().min(1).max(255).nullable().optional(),
  description: z.string().max(2000).nullable().optional(),
  advanced_signatures: z.boolean().optional(),
  support_email: z.email().nullable().optional(),
  http_timeout: durationSecondsSchema(1, 300).optional(),
  rate_limit: z.int().min(0).optional(),
  rate_limit_duration: durationSecondsSchema(1, 86_400).optional(),
  content_type: z.string().min(1).optional(),
  custom_headers: sendableHeaderMapSchema.optional(),
  authentication: endpointAuthenticationSchema.nullable().optional(),
  mtls_client_cert: mtlsClientCertSchema.nullable().optional(),
});
export type UpdateEndpointBody = z.infer<typeof updateEndpointBodySchema>;
