import { z } from 'zod';
import { encodingSchema, hashSchema } from '../http/project.dto';

/** Incoming-webhook presets: the provider fixes how requests are signed and typed. */
export const sourceProviderSchema = z.enum(['github', 'shopify']);
export type SourceProvider = z.infer<typeof sourceProviderSchema>;

export const verifierTypeSchema = z.enum(['hmac', 'basic_auth', 'api_key', 'noop']);
export type VerifierType = z.infer<typeof verifierTypeSchema>;

/** An HTTP header name (RFC 9110 token). */
export const headerNameSchema = z
  .string()
  .trim()
  .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/, 'must be an HTTP header name');

export interface ProviderPreset {
  hmac: { header: string; hash: 'SHA256'; encoding: 'hex' | 'base64' };
  /** The request header naming the event type. */
  eventTypeHeader: string;
}

export const PROVIDER_PRESETS: Readonly<Record<SourceProvider, ProviderPreset>> = {
  // `X-Hub-Signature-256: sha256=<hex>`; the `sha256=` prefix is accepted for any hmac verifier.
  github: {
    hmac: { header: 'X-Hub-Signature-256', hash: 'SHA256', encoding: 'hex' },
    eventTypeHeader: 'X-GitHub-Event',
  },
  shopify: {
    hmac: { header: 'X-Shopify-Hmac-Sha256', hash: 'SHA256', encoding: 'base64' },
    eventTypeHeader: 'X-Shopify-Topic',
  },
};

/** An http source's verifier as stored in `sources.verifier`: settings only, never a secret. */
export const storedVerifierSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('noop') }),
  z.object({
    type: z.literal('hmac'),
    hmac: z.object({ header: z.string(), hash: hashSchema, encoding: encodingSchema }),
  }),
  z.object({ type: z.literal('basic_auth'), basic_auth: z.object({ username: z.string() }) }),
  z.object({ type: z.literal('api_key'), api_key: z.object({ header_name: z.string() }) }),
]);
export type StoredVerifier = z.infer<typeof storedVerifierSchema>;

/** The secret half of a verifier, stored encrypted (AES-256-GCM) in `sources.credentials`. */
export const verifierSecretSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('hmac'), secret: z.string() }),
  z.object({ type: z.literal('basic_auth'), password: z.string() }),
  z.object({ type: z.literal('api_key'), header_value: z.string() }),
]);
export type VerifierSecret = z.infer<typeof verifierSecretSchema>;
