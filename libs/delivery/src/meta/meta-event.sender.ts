import { newId, type ProjectConfig } from '@flotilla/contracts';
import type { Logger } from '@flotilla/observability';
import { signDelivery } from '@flotilla/signing';
import type { HttpSender } from '../http/http-sender';
import { USER_AGENT } from '../dispatch/delivery-request';

export type MetaEventType =
  | 'endpoint.created'
  | 'endpoint.updated'
  | 'endpoint.deleted'
  | 'endpoint.disabled'
  | 'eventdelivery.success'
  | 'eventdelivery.failed';

/**
 * Tells a project's operators about their own endpoints (Convoy's meta events): a signed POST to the
 * project's meta URL, best effort (logged, never retried: the state it reports is in the API).
 * Signed with Standard Webhooks when the meta secret is `whsec_…`, else Convoy's simple HMAC.
 */
export async function sendMetaEvent(
  sender: HttpSender,
  logger: Logger,
  config: ProjectConfig,
  type: MetaEventType,
  data: Record<string, unknown>,
): Promise<void> {
  const meta = config.meta_event;
  if (!meta.is_enabled || !meta.url) return;
  if (meta.event_type.length > 0 && !meta.event_type.includes(type)) return;
  const id = newId();
  const body = JSON.stringify({ uid: id, event_type: type, data, created_at: new Date().toISOString() });
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
  if (meta.secret) {
    const timestamp = Math.floor(Date.now() / 1000);
    const signed = meta.secret.startsWith('whsec_')
      ? signDelivery({ format: 'standard-webhooks' }, { id, timestamp, body, secrets: [meta.secret] })
      : signDelivery(
          { format: 'convoy', versions: [{ hash: 'SHA256', encoding: 'hex' }], advanced: false },
          { id, timestamp, body, secrets: [meta.secret] },
        );
    Object.assign(headers, signed);
  }
  const result = await sender.send({ url: meta.url, headers, body, timeoutMs: 10_000 });
  if (result.kind === 'error' || result.status >= 300) {
    logger.warn({ type, url: meta.url, result: result.kind === 'error' ? result.message : result.status }, 'meta event not accepted');
  }
}
