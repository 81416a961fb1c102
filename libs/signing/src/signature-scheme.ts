import type { WebhookBody } from './crypto-utils';
import { signConvoy, type ConvoySignatureVersion } from './convoy';
import { signStandardWebhook } from './standard-webhooks';

export const DEFAULT_CONVOY_SIGNATURE_HEADER = 'X-Convoy-Signature';

/** How a project signs deliveries (`config.signature.format`). */
export type SignatureScheme =
  | { readonly format: 'standard-webhooks' }
  | {
      readonly format: 'convoy';
      /** Header name; defaults to X-Convoy-Signature. */
      readonly header?: string;
      readonly versions: readonly ConvoySignatureVersion[];
      /** The endpoint's `advanced_signatures`. */
      readonly advanced: boolean;
    };

export interface SignDeliveryInput {
  /** Message id (Standard Webhooks `webhook-id`); unused by the Convoy format. */
  id: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  body: WebhookBody;
  /**
   * The endpoint's live (unexpired) secrets, newest last: `whsec_…` for Standard Webhooks, plain
   * strings for Convoy.
   */
  secrets: readonly string[];
}

// RFC 9110 token: a bad configured name would otherwise only fail inside the HTTP client.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The signature headers to add to a delivery. Other headers (ids, idempotency key, User-Agent)
 * are the caller's.
 */
export function signDelivery(
  scheme: SignatureScheme,
  input: SignDeliveryInput,
): Record<string, string> {
  switch (scheme.format) {
    case 'standard-webhooks':
      return { ...signStandardWebhook(input) };
    case 'convoy': {
      const header = scheme.header ?? DEFAULT_CONVOY_SIGNATURE_HEADER;
      if (!HEADER_NAME.test(header)) {
        throw new TypeError(`invalid signature header name ${JSON.stringify(header)}`);
      }
      const value = signConvoy({
        body: input.body,
        timestamp: input.timestamp,
        secrets: input.secrets,
        versions: scheme.versions,
        advanced: scheme.advanced,
      });
      return { [header]: value };
    }
  }
}
