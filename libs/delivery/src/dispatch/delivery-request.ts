import {
  isCredentialHeader,
  MASKED_HEADER_VALUE,
  projectConfigSchema,
  unsendableHeaderReason,
  type ProjectConfig,
} from '@flotilla/contracts';
import type { DispatchRow, EndpointSecret } from '@flotilla/db';
import { signDelivery, type SignatureScheme } from '@flotilla/signing';

export const USER_AGENT = 'Flotilla/0.1';

export interface BuiltRequest {
  headers: Record<string, string>;
  /** What the audit log keeps: the same headers with credentials masked. */
  loggedHeaders: Record<string, string>;
  body: string;
}

/** The secrets that still sign, oldest first (the newest signs last, as both formats expect). */
export function liveSecrets(secrets: unknown, now: Date): string[] {
  if (!Array.isArray(secrets)) return [];
  return (secrets as EndpointSecret[])
    .filter((secret) => secret.expires_at === null || new Date(secret.expires_at) > now)
    .sort((a, b) => a.created_at.localeCompare(b.created_at))
    .map((secret) => secret.value);
}

export function signatureScheme(config: ProjectConfig, advanced: boolean): SignatureScheme {
  switch (config.signature.format) {
    case 'standard-webhooks':
      return { format: 'standard-webhooks' };
    case 'convoy':
      return {
        format: 'convoy',
        header: config.signature.header,
        versions: config.signature.versions,
        advanced,
      };
  }
}

const projectConfigs = new Map<string, { raw: string; config: ProjectConfig }>();

/** Project configs are parsed once per change, not once per delivery. */
export function projectConfigOf(
  row: Pick<DispatchRow, 'projectId' | 'projectConfig'>,
): ProjectConfig {
  const raw = JSON.stringify(row.projectConfig);
  const cached = projectConfigs.get(row.projectId);
  if (cached?.raw === raw) return cached.config;
  const config = projectConfigSchema.parse(row.projectConfig);
  projectConfigs.set(row.projectId, { raw, config });
  return config;
}

/**
 * The exact request for one attempt: the body is the event's JSON text as accepted, signed as sent.
 * The delivery id is the stable id receivers dedupe on (same on every retry).
 */
export function buildDeliveryRequest(
  row: DispatchRow,
  config: ProjectConfig,
  now: Date,
): BuiltRequest {
  const headers: Record<string, string> = {};
  const masked = new Set<string>();
  // Later sources win: an event's (or an incoming request's) headers never replace the endpoint's,
  // and Flotilla's own (set below) replace both. Headers that could never be sent (stored before
  // they were refused at save time) are left out rather than failing every attempt.
  for (const source of [row.eventHeaders, row.customHeaders]) {
    if (source && typeof source === 'object' && !Array.isArray(source)) {
      for (const [name, value] of Object.entries(source)) {
        if (typeof value === 'string' && unsendableHeaderReason(name, value) === undefined) {
          headers[name.toLowerCase()] = value;
          if (isCredentialHeader(name)) masked.add(name.toLowerCase());
        }
      }
    }
  }
  const auth = row.authentication as {
    api_key?: { header_name: string; header_value: string };
  } | null;
  if (auth?.api_key) {
    headers[auth.api_key.header_name.toLowerCase()] = auth.api_key.header_value;
    masked.add(auth.api_key.header_name.toLowerCase());
  }
  // Flotilla's own headers replace custom ones of the same name and are shown as sent.
  const own = (name: string, value: string): void => {
    headers[name] = value;
    masked.delete(name);
  };
  own('content-type', row.contentType);
  own('user-agent', USER_AGENT);
  own('x-flotilla-event-id', row.eventId);
  own('x-flotilla-delivery-id', row.id);
  own('x-flotilla-event-type', row.eventType);
  const scheme = signatureScheme(config, row.advancedSignatures);
  if (scheme.format === 'convoy') {
    own('x-convoy-idempotency-key', row.id);
    own('x-convoy-event-id', row.eventId);
    own('x-convoy-eventdelivery-id', row.id);
  }
  const signed = signDelivery(scheme, {
    id: row.id,
    timestamp: Math.floor(now.getTime() / 1000),
    body: row.rawData,
    secrets: liveSecrets(row.secrets, now),
  });
  for (const [name, value] of Object.entries(signed)) own(name.toLowerCase(), value);
  const loggedHeaders = Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      masked.has(name) ? MASKED_HEADER_VALUE : value,
    ]),
  );
  return { headers, loggedHeaders, body: row.rawData };
}
