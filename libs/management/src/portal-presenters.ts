import type {
  PortalAttemptResponse,
  PortalDeliveryResponse,
  PortalEndpointResponse,
  PortalEventResponse,
} from '@flotilla/contracts';
import type { DeliveryAttempt, Endpoint, EventDelivery, LoggedEvent } from '@flotilla/db';
import { presentAttempt, presentDelivery, presentEndpoint, presentEvent } from './presenters';

/**
 * What a portal token's holder (the operator's customer) may see: allowlists over the operator's
 * presenters, so a field added there reaches the portal only when added here on purpose.
 */
function pick<T extends object, K extends keyof T>(source: T, fields: readonly K[]): Pick<T, K> {
  // Object.fromEntries loses the key types; the fields are exactly K.
  return Object.fromEntries(fields.map((field) => [field, source[field]])) as Pick<T, K>;
}

const ENDPOINT_FIELDS = [
  'uid',
  'owner_id',
  'name',
  'title',
  'url',
  'target_url',
  'description',
  'status',
  'secrets',
  'signature_algorithm',
  'advanced_signatures',
  'support_email',
  'http_timeout',
  'rate_limit',
  'rate_limit_duration',
  'content_type',
  'authentication',
  'mtls_client_cert',
  'disabled_reason',
  'created_at',
  'updated_at',
] as const;

/** The customer's own endpoint, secrets included (they verify signatures with them). */
export function presentPortalEndpoint(endpoint: Endpoint): PortalEndpointResponse {
  return pick(presentEndpoint(endpoint), ENDPOINT_FIELDS);
}

const EVENT_FIELDS = [
  'uid',
  'event_type',
  'data',
  'idempotency_key',
  'accepted_at',
  'created_at',
  'updated_at',
] as const;

/** An event as the customer received it: its endpoints are only those in the scope. */
export function presentPortalEvent(
  event: LoggedEvent,
  reachable: ReadonlySet<string>,
): PortalEventResponse {
  const shown = presentEvent(event);
  return {
    ...pick(shown, EVENT_FIELDS),
    endpoints: shown.endpoints.filter((id) => reachable.has(id)),
  };
}

const DELIVERY_FIELDS = [
  'uid',
  'event_id',
  'endpoint_id',
  'event_type',
  'status',
  'metadata',
  'latency',
  'latency_seconds',
  'latency_ms',
  'description',
  'delivered_at',
  'created_at',
  'updated_at',
] as const;

export function presentPortalDelivery(delivery: EventDelivery): PortalDeliveryResponse {
  return pick(presentDelivery(delivery), DELIVERY_FIELDS);
}

const ATTEMPT_FIELDS = [
  'uid',
  'msg_id',
  'endpoint_id',
  'url',
  'method',
  'request_http_header',
  'response_http_header',
  'http_status',
  'status_code',
  'response_data',
  'error',
  'error_kind',
  'latency_ms',
  'status',
  'created_at',
] as const;

export function presentPortalAttempt(attempt: DeliveryAttempt): PortalAttemptResponse {
  return pick(presentAttempt(attempt), ATTEMPT_FIELDS);
}
