import { newId, type MetaEventType, type ProjectConfig } from '@flotilla/contracts';
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

/**
 * Tells a project's operators about their own endpoints and deliveries (Convoy's meta events): a
 * signed POST to the project's meta URL, best effort (logged, never retried: the state it reports
 * is in the API). Signed with Standard Webhooks when the meta secret is `whsec_…`, else Convoy's
 * simple HMAC (SHA256, hex) in `X-Convoy-Signature`. Never throws.
 */
export async function sendMetaEvent(
  sender: HttpSender,
  logger: Logger,
  config: ProjectConfig,
  type: MetaEventType,
  data: Record<string, unknown>,
): Promise<void> {
  const meta = config.meta_event;
  if (!wantsMetaEvent(config, type) || !meta.url) return;
  try {
    const id = newId();
    const body = JSON.stringify({
      uid: id,
      event_type: type,
      data,
      created_at: new Date().toISOString(),
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': USER_AGENT,
      'x-flotilla-event-type': type,
    };
    if (meta.secret) {
      const timestamp = Math.floor(Date.now() / 1000);
      const signed = meta.secret.startsWith('whsec_')
        ? signDelivery(
            { format: 'standard-webhooks' },
            { id, timestamp, body, secrets: [meta.secret] },
          )
        : signDelivery(
            { format: 'convoy', versions: [{ hash: 'SHA256', encoding: 'hex' }], advanced: false },
            { id, timestamp, body, secrets: [meta.secret] },
          );
      Object.assign(headers, signed);
    }
    const result = await sender.send({ url: meta.url, headers, body, timeoutMs: META_TIMEOUT_MS });
    if (result.kind === 'error' || result.status >= 300) {
      logger.warn(
        { type, url: meta.url, result: result.kind === 'error' ? result.message : result.status },
        'meta event not accepted',
      );
    }
  } catch (error) {
    logger.warn({ type, url: meta.url, err: error }, 'meta event not sent');
  }
}
