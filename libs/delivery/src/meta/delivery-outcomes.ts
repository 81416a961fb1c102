import type { DeliveryResult, DispatchRow } from '@flotilla/db';
import { projectConfigOf } from '../dispatch/delivery-request';
import type { MetaEventQueue } from './meta-event.queue';
import { wantsMetaEvent } from './meta-event.sender';

/**
 * `eventdelivery.success` / `eventdelivery.failed` for a dispatched batch, called once its results
 * are written: one per delivery whose attempt in this batch ended it Success or Failure (a failure
 * that will be retried is not final and sends nothing). Queued, never awaited.
 */
export function publishDeliveryOutcomes(
  queue: MetaEventQueue,
  rows: readonly DispatchRow[],
  results: readonly DeliveryResult[],
): void {
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const result of results) {
    if (result.attempted === 0 || (result.status !== 'Success' && result.status !== 'Failure'))
      continue;
    const row = byId.get(result.id);
    if (!row) continue;
    const config = projectConfigOf(row);
    const type = result.status === 'Success' ? 'eventdelivery.success' : 'eventdelivery.failed';
    // Most projects want no meta events: skip building a payload per delivery on the hot path.
    if (!wantsMetaEvent(config, type)) continue;
    queue.publish(row.projectId, config, type, {
      uid: row.id,
      project_id: row.projectId,
      event_id: row.eventId,
      endpoint_id: row.endpointId,
      event_type: row.eventType,
      status: result.status,
      url: row.url,
      metadata: { num_trials: row.attemptCount + result.attempted },
      latency: result.latencyMs,
      description: result.lastError ?? '',
    });
  }
}
