import type { ConsumedMessage } from './kafka-batch.transport';

export type Exclusivity = 'partition' | 'key';

/** The token two units may not hold at once: a partition, or a message key within its partition. */
export function exclusivityOf(message: ConsumedMessage, exclusive: Exclusivity): string {
  return exclusive === 'key'
    ? `${message.partition}/${message.key ?? ''}`
    : String(message.partition);
}

/**
 * The fetched messages waiting for a unit of work, kept per exclusivity token (in arrival order
 * within a token, tokens in order of first arrival), so taking a unit costs the unit's size plus
 * the busy tokens skipped, not a scan of everything queued: with one key per unit and thousands of
 * endpoints a scan of the whole queue per unit was quadratic.
 *
 * - no exclusivity: the first `batchSize` messages;
 * - `partition`: messages of partitions no running unit holds;
 * - `key`: messages of ONE key no running unit holds. A unit mixing keys would hold every key in it
 *   until its slowest send ends, so a receiver that times out would delay the next messages of
 *   every other key that happened to share its unit (head-of-line blocking); with one key per unit
 *   a slow key only delays itself.
 *
 * A token whose messages did not all fit stays claimed until the unit is done, so its later
 * messages cannot overtake earlier ones.
 */
export class PendingQueue {
  private readonly byToken = new Map<string, ConsumedMessage[]>();
  private count = 0;

  constructor(private readonly exclusive: Exclusivity | undefined) {}

  get size(): number {
    return this.count;
  }

  push(message: ConsumedMessage): void {
    const token = this.exclusive ? exclusivityOf(message, this.exclusive) : '';
    const waiting = this.byToken.get(token);
    if (waiting) waiting.push(message);
    else this.byToken.set(token, [message]);
    this.count += 1;
  }

  /** Takes the next unit of work with the tokens it claims (empty when every token is busy). */
  take(
    busy: ReadonlySet<string>,
    batchSize: number,
  ): { unit: ConsumedMessage[]; claimed: Set<string> } {
    const unit: ConsumedMessage[] = [];
    const claimed = new Set<string>();
    for (const [token, waiting] of this.byToken) {
      if (this.exclusive && busy.has(token)) continue;
      unit.push(...waiting.splice(0, batchSize - unit.length));
      if (waiting.length === 0) this.byToken.delete(token);
      if (this.exclusive) claimed.add(token);
      if (this.exclusive === 'key' || unit.length >= batchSize) break;
    }
    this.count -= unit.length;
    return { unit, claimed };
  }

  /** Drops the messages of partitions this member no longer owns. */
  retainPartitions(partitions: ReadonlySet<number>): void {
    for (const [token, waiting] of this.byToken) {
      const kept = waiting.filter((message) => partitions.has(message.partition));
      this.count -= waiting.length - kept.length;
      if (kept.length === 0) this.byToken.delete(token);
      else this.byToken.set(token, kept);
    }
  }

  clear(): void {
    this.byToken.clear();
    this.count = 0;
  }
}
