import type { WebhookReceiver } from '../receiver/webhook-receiver';

export interface DeliveryTally {
  /** Distinct sequence numbers delivered. */
  unique: number;
  /** Deliveries beyond the first of a sequence number. */
  duplicates: number;
  /** Sequence numbers in [0, total) never delivered. */
  missing: number[];
}

/**
 * Counts what a receiver got of a numbered load (`data.seq`, optionally only requests whose body
 * has `data.run === run`), as a customer counting webhooks would.
 */
export function tallyDeliveries(
  receiver: WebhookReceiver,
  total: number,
  run?: string,
): DeliveryTally {
  const seen = new Map<number, number>();
  let deliveries = 0;
  for (const request of receiver.requests) {
    let body: { seq?: unknown; run?: unknown };
    try {
      body = JSON.parse(request.body) as { seq?: unknown; run?: unknown };
    } catch {
      continue;
    }
    if (typeof body.seq !== 'number' || (run !== undefined && body.run !== run)) continue;
    deliveries += 1;
    seen.set(body.seq, (seen.get(body.seq) ?? 0) + 1);
  }
  const missing: number[] = [];
  for (let seq = 0; seq < total; seq++) if (!seen.has(seq)) missing.push(seq);
  return { unique: seen.size, duplicates: deliveries - seen.size, missing };
}

/** Polls until every sequence number arrived or the time is up; returns the final tally. */
export async function waitForDeliveries(
  receiver: WebhookReceiver,
  total: number,
  timeoutMs: number,
  run?: string,
): Promise<DeliveryTally> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tally = tallyDeliveries(receiver, total, run);
    if (tally.missing.length === 0 || Date.now() > deadline) return tally;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
