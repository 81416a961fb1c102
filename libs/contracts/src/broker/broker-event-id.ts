import { createHash } from 'node:crypto';

/**
 * The event id of a broker message: a UUIDv7 whose time is the message's publish time and whose
 * other bits are a hash of (source, broker message id). A message the broker delivers again (after
 * a crash, an expired lease, a second replica) gets the same event id, so the route stage's
 * `ON CONFLICT (id) DO NOTHING` drops the copy and its delivery ids are the same too.
 */
export function brokerEventId(
  sourceId: string,
  brokerMessageId: string,
  publishedAtMs: number,
): string {
  const bytes = createHash('sha256')
    .update('flotilla.broker-event\0')
    .update(sourceId)
    .update('\0')
    .update(brokerMessageId)
    .digest()
    .subarray(0, 16);
  const ms = Number.isSafeInteger(publishedAtMs) && publishedAtMs > 0 ? publishedAtMs : 0;
  bytes.writeUIntBE(Math.min(ms, 0xffff_ffff_ffff), 0, 6);
  bytes[6] = 0x70 | (bytes[6]! & 0x0f);
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
