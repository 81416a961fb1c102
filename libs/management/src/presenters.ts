import {
  REDACTED_CREDENTIAL,
  projectConfigSchema,
  toHeaderLists,
  type AcceptedEventResponse,
  type AttemptResponse,
  type DeliveryResponse,
  type EndpointResponse,
  type EventMessageV1,
  type EventMetadataResponse,
  type EventResponse,
  type JsonValue,
  type Page,
  type ProjectResponse,
  type SubscriptionResponse,
  type MetaEventResponse,
} from '@flotilla/contracts';
import type {
  DeliveryAttempt,
  Endpoint,
  EndpointSecret,
  Event,
  EventDelivery,
  LoggedEvent,
  MetaEvent,
  JsonValue as StoredJson,
  PageResult,
  Project,
  Subscription,
} from '@flotilla/db';
import { currentSignatureAlgorithm, presentSecret } from './endpoint-signing';

/** Convoy's JSON shapes: snake_case fields, ids in `uid`, RFC 3339 timestamps. */

/**
 * A JSON column read back as the type it was written with: these columns are written only from
 * values the body schemas in libs/contracts parsed, so they need no second parse on the way out.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed read, as said above
export function stored<T>(value: StoredJson): T {
  return value as T;
}

export function presentProject(project: Project): ProjectResponse {
  return {
    uid: project.id,
    name: project.name,
    type: project.type,
    // Parsed, so a config stored before a setting existed answers with that setting's default.
    config: projectConfigSchema.parse(project.config),
    created_at: project.createdAt.toISOString(),
    updated_at: project.updatedAt.toISOString(),
  };
}

export function presentEndpoint(endpoint: Endpoint): EndpointResponse {
  const secrets = stored<EndpointSecret[]>(endpoint.secrets);
  return {
    uid: endpoint.id,
    project_id: endpoint.projectId,
    owner_id: endpoint.ownerId ?? '',
    name: endpoint.name,
    title: endpoint.name,
    url: endpoint.url,
    target_url: endpoint.url,
    description: endpoint.description ?? '',
    status: endpoint.status,
    secrets: secrets.map(presentSecret),
    signature_algorithm: currentSignatureAlgorithm(secrets),
    advanced_signatures: endpoint.advancedSignatures,
    support_email: endpoint.supportEmail ?? '',
    http_timeout: endpoint.httpTimeoutSeconds,
    rate_limit: endpoint.rateLimit,
    rate_limit_duration: endpoint.rateLimitDuration,
    content_type: endpoint.contentType,
    custom_headers: stored(endpoint.customHeaders),
    authentication: presentAuthentication(stored(endpoint.authentication)),
    // The key is kept encrypted and never shown.
    mtls_client_cert: endpoint.mtlsClientCert
      ? { client_cert: endpoint.mtlsClientCert, client_key: REDACTED_CREDENTIAL }
      : null,
    ordered: endpoint.ordered,
    disabled_reason: endpoint.disabledReason ?? '',
    created_at: endpoint.createdAt.toISOString(),
    updated_at: endpoint.updatedAt.toISOString(),
  };
}

/** An OAuth2 client secret is kept encrypted and never shown; api_key values are the project's own. */
function presentAuthentication(
  authentication: EndpointResponse['authentication'],
): EndpointResponse['authentication'] {
  if (authentication?.type !== 'oauth2') return authentication;
  return {
    type: 'oauth2',
    oauth2: { ...authentication.oauth2, client_secret: REDACTED_CREDENTIAL },
  };
}

export function presentSubscription(
  subscription: Subscription,
  endpoints?: ReadonlyMap<string, Endpoint>,
): SubscriptionResponse {
  const endpoint = endpoints?.get(subscription.endpointId);
  return {
    // Convoy's only link from a subscription to its endpoint (null once the endpoint is deleted).
    endpoint_metadata: endpoint ? presentEndpoint(endpoint) : null,
    uid: subscription.id,
    name: subscription.name,
    project_id: subscription.projectId,
    endpoint_id: subscription.endpointId,
    source_id: subscription.sourceId ?? '',
    filter_config: {
      event_types: subscription.eventTypes,
      filter: {
        headers: stored(subscription.filterHeaders),
        body: stored(subscription.filterBody),
      },
    },
    delivery_mode: subscription.deliveryMode,
    status: subscription.status,
    created_at: subscription.createdAt.toISOString(),
    updated_at: subscription.updatedAt.toISOString(),
  };
}

/** The answer to `POST /events` (and fanout, broadcast, dynamic): the event as queued. */
export function presentAcceptedEvent(message: EventMessageV1): AcceptedEventResponse {
  return {
    uid: message.event_id,
    project_id: message.project_id,
    event_type: message.event_type,
    endpoints: message.target.kind === 'single' ? [message.target.endpoint_id] : [],
    owner_id: message.target.kind === 'fanout' ? message.target.owner_id : '',
    data: JSON.parse(message.data) as JsonValue,
    headers: toHeaderLists(message.custom_headers),
    idempotency_key: message.idempotency_key ?? '',
    created_at: message.accepted_at,
    updated_at: message.accepted_at,
  };
}

export function presentEvent(event: LoggedEvent): EventResponse {
  return {
    uid: event.id,
    project_id: event.projectId,
    event_type: event.eventType,
    // Convoy lists every endpoint the event was routed to; one addressed to an endpoint names it
    // even before it is routed.
    endpoints: event.endpointId ? [event.endpointId] : (event.routedTo ?? []),
    owner_id: event.ownerId ?? '',
    data: JSON.parse(event.rawData) as JsonValue,
    raw: event.rawData,
    headers: toHeaderLists(stored(event.headers)),
    idempotency_key: event.idempotencyKey ?? '',
    is_duplicate_event: event.isDuplicate,
    source_id: event.sourceId ?? '',
    broker_message_id: event.brokerMessageId ?? '',
    accepted_at: event.acceptedAt.toISOString(),
    created_at: event.createdAt.toISOString(),
    updated_at: event.createdAt.toISOString(),
  };
}

/** What a page of deliveries refers to, loaded once for the page (see EventLogService). */
export interface DeliveryContext {
  events: ReadonlyMap<string, Event>;
  endpoints: ReadonlyMap<string, Endpoint>;
}

/** Convoy's `event_metadata`: which event a delivery carries (its data is at `GET /events/{id}`). */
export function presentEventMetadata(event: Event): EventMetadataResponse {
  return {
    uid: event.id,
    project_id: event.projectId,
    event_type: event.eventType,
    source_id: event.sourceId ?? '',
    idempotency_key: event.idempotencyKey ?? '',
    created_at: event.createdAt.toISOString(),
    updated_at: event.createdAt.toISOString(),
  };
}

export function presentDelivery(
  delivery: EventDelivery,
  context?: DeliveryContext,
): DeliveryResponse {
  const event = context?.events.get(delivery.eventId);
  const endpoint = context?.endpoints.get(delivery.endpointId);
  return {
    uid: delivery.id,
    project_id: delivery.projectId,
    event_id: delivery.eventId,
    endpoint_id: delivery.endpointId,
    subscription_id: delivery.subscriptionId ?? '',
    event_type: delivery.eventType,
    status: delivery.status,
    metadata: {
      num_trials: delivery.attemptCount,
      next_send_time: delivery.nextAttemptAt.toISOString(),
    },
    // Convoy's `latency` is a duration string (deprecated there, but typed `string` in its
    // document) beside `latency_seconds`; `latency_ms` is Flotilla's exact figure.
    latency: delivery.latencyMs === null ? '' : `${String(delivery.latencyMs)}ms`,
    latency_seconds: (delivery.latencyMs ?? 0) / 1000,
    latency_ms: delivery.latencyMs,
    description: delivery.lastError ?? '',
    delivered_at: delivery.deliveredAt?.toISOString() ?? null,
    // Convoy's links from a delivery to what it carried and where (null once deleted).
    idempotency_key: event?.idempotencyKey ?? '',
    headers: event ? toHeaderLists(stored(event.headers)) : null,
    target_url: endpoint?.url ?? '',
    event_metadata: event ? presentEventMetadata(event) : null,
    endpoint_metadata: endpoint ? presentEndpoint(endpoint) : null,
    created_at: delivery.createdAt.toISOString(),
    updated_at: delivery.updatedAt.toISOString(),
  };
}

export function presentAttempt(attempt: DeliveryAttempt): AttemptResponse {
  return {
    uid: attempt.id,
    msg_id: attempt.deliveryId,
    project_id: attempt.projectId,
    endpoint_id: attempt.endpointId,
    url: attempt.url,
    method: attempt.method,
    request_http_header: stored(attempt.requestHeaders),
    response_http_header: attempt.responseHeaders === null ? null : stored(attempt.responseHeaders),
    http_status: attempt.responseStatus === null ? '' : String(attempt.responseStatus),
    status_code: attempt.responseStatus,
    response_data: attempt.responseBody ?? '',
    error: attempt.error ?? '',
    error_kind: attempt.errorKind ?? '',
    latency_ms: attempt.latencyMs,
    status:
      attempt.responseStatus !== null &&
      attempt.responseStatus >= 200 &&
      attempt.responseStatus < 300,
    created_at: attempt.createdAt.toISOString(),
  };
}

export function presentPage<T extends { id: string }, R>(
  page: PageResult<T>,
  perPage: number,
  present: (row: T) => R,
): Page<R> {
  return {
    // Called with the row only: some presenters take an optional second argument.
    content: page.rows.map((row) => present(row)),
    pagination: {
      per_page: perPage,
      has_next_page: page.hasNext,
      has_prev_page: page.hasPrev,
      next_page_cursor: page.rows.at(-1)?.id ?? '',
      prev_page_cursor: page.rows[0]?.id ?? '',
    },
  };
}

/** Convoy's meta event: what was sent (`metadata`) and how its last attempt went (`attempt`). */
export function presentMetaEvent(event: MetaEvent): MetaEventResponse {
  const sent = JSON.parse(event.payload) as { data?: JsonValue };
  return {
    uid: event.id,
    project_id: event.projectId,
    event_type: event.eventType,
    status: event.status === 'Success' ? 'Success' : 'Failure',
    metadata: {
      data: sent.data ?? null,
      raw: event.payload,
      num_trials: event.numTrials,
      retry_limit: 0,
    },
    attempt: {
      request_http_header: stored(event.requestHeaders),
      response_http_header: event.responseHeaders === null ? null : stored(event.responseHeaders),
      response_data: event.responseData,
      http_status: event.responseStatus === null ? '' : String(event.responseStatus),
      error: event.error,
    },
    created_at: event.createdAt.toISOString(),
    updated_at: event.updatedAt.toISOString(),
  };
}
