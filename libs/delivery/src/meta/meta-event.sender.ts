import { maskCredentialHeaders, type MetaEventType, type ProjectConfig } from '@flotilla/contracts';
import type { MetaEventOutcome } from '@flotilla/db';
import type { Logger } from '@flotilla/observability';
import { signDelivery } from '@flotilla/signing';
import type { HttpSender } from '../http/http-sender';
import { USER_AGENT } from '../dispatch/delivery-request';

export type { MetaEventType } from '@flotilla/contracts';

/** Meta requests are small and best effort: a slow receiver is given up on quickly. */
const META_TIMEOUT_MS = 10_000;

/**
 * Whether the project wants this meta event: meta events on, a URL, and the type listed in
 * `event_type` (an empty list means every type).
 */
export function wantsMetaEvent(config: ProjectConfig, type: MetaEventType): boolean {
  const meta = config.meta_event;
  if (!meta.is_enabled || !meta.url) return false;
  return meta.event_type.length === 0 || meta.event_type.includes(type);
}

/** A meta event ready to send: its id, body and signed headers. */
export interface MetaEventRequest {
  id: string;
  type: MetaEventType;
  body: string;
  headers: Record<string, string>;
}

/** The body of a new meta event of this type. */
export function metaEventBody(
  id: string,
  type: MetaEventType,
  data: Record<string, unknown>,
): string {
  return JSON.stringify({ uid: id, event_type: type, data, created_at: new Date().toISOString() });
}

/**
 * The headers of a meta event's request, signed with the project's meta secret: Standard Webhooks
 * when it is `whsec_…`, else Convoy's simple HMAC (SHA256, hex) in `X-Convoy-Signature`. A resend
 * is signed again, with the secret the project has then.
 */
export function metaEventRequest(
  config: ProjectConfig,
  type: MetaEventType,
  id: string,
  body: string,
): MetaEventRequest {
  const secret = config.meta_event.secret;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-flotilla-event-type': type,
  };
  if (secret) {
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = secret.startsWith('whsec_')
      ? signDelivery({ format: 'standard-webhooks' }, { id, timestamp, body, secrets: [secret] })
      : signDelivery(
          { format: 'convoy', versions: [{ hash: 'SHA256', encoding: 'hex' }], advanced: false },
          { id, timestamp, body, secrets: [secret] },
        );
    Object.assign(headers, signed);
  }
  return { id, type, body, headers };
}

/**
 * Tells a project's operators about their own endpoints and deliveries (Convoy's meta events): a
 * signed POST to the project's meta URL, once (the meta event log keeps the outcome and can resend
 * it). Never throws: a failure is the outcome's `error`, and is logged.
 */
export async function sendMetaEvent(
  sender: HttpSender,
  logger: Logger,
  url: string,
  request: MetaEventRequest,
): Promise<MetaEventOutcome> {
  const shownHeaders = maskCredentialHeaders(request.headers) as Record<string, string>;
  try {
    const result = await sender.send({
      url,
      headers: request.headers,
      body: request.body,
      timeoutMs: META_TIMEOUT_MS,
    });
    if (result.kind === 'error') {
      logger.warn({ type: request.type, url, result: result.message }, 'meta event not sent');
      return metaEventFailure(shownHeaders, result.message);
    }
    const ok = result.status >= 200 && result.status < 300;
    if (!ok)
      logger.warn({ type: request.type, url, result: result.status }, 'meta event not accepted');
    return {
      status: ok ? 'Success' : 'Failure',
      requestHeaders: shownHeaders,
      responseStatus: result.status,
      responseHeaders: result.headers,
      responseData: result.body,
      error: ok ? '' : `the receiver answered ${String(result.status)}`,
    };
  } catch (error) {
    logger.warn({ type: request.type, url, err: error }, 'meta event not sent');
    return metaEventFailure(shownHeaders, error instanceof Error ? error.message : String(error));
  }
}

/** An attempt that got no answer (or was not made), with why. */
export function metaEventFailure(
  requestHeaders: Record<string, string>,
  error: string,
): MetaEventOutcome {
  return {
    status: 'Failure',
    requestHeaders,
    responseStatus: null,
    responseHeaders: null,
    responseData: '',
    error,
  };
}
