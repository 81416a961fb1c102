import type { ConsumedMessage } from './kafka-batch.transport';

export type Exclusivity = 'partition' | 'key';

/** The token two units may not hold at once: a partition, or a message key within its partition. */
export function exclusivityOf(message: ConsumedMessage, exclusive: Exclusivity): string {
  return exclusive === 'key'
    ? `${message.partition}/${message.key ?? ''}`
    : String(message.partition);
}

/**
 * Takes the next unit of work out of `queue` (in place) and returns it with the tokens it claims.
 *
 * - no exclusivity: the first `batchSize` messages;
 * - `partition`: messages of partitions no running unit holds, in queue order;
 * - `key`: messages of ONE key no running unit holds. A unit mixing keys would hold every key in it
 *   until its slowest send ends, so a receiver that times out would delay the next messages of
 *   every other key that happened to share its unit (head-of-line blocking); with one key per unit
 *   a slow key only delays itself.
 *
 * A token whose messages did not all fit stays claimed until the unit is done, so its later
 * messages cannot overtake earlier ones.
 */
export function takeUnit(
  queue: ConsumedMessage[],
  busy: ReadonlySet<string>,
  batchSize: number,
  exclusive: Exclusivity | undefined,
): { unit: ConsumedMessage[]; claimed: Set<string> } {
  if (!exclusive) return { unit: queue.splice(0, batchSize), claimed: new Set() };
  const unit: ConsumedMessage[] = [];
  const rest: ConsumedMessage[] = [];
  const claimed = new Set<string>();
  let only: string | undefined;
  for (const message of queue) {
    const token = exclusivityOf(message, exclusive);
    const fits =
      unit.length < batchSize &&
      (exclusive === 'key'
        ? only === undefined
          ? !busy.has(token)
          : token === only
        : !busy.has(token));
    if (fits) {
      unit.push(message);
      claimed.add(token);
      only ??= token;
    } else rest.push(message);
  }
  queue.length = 0;
  queue.push(...rest);
  return { unit, claimed };
}
