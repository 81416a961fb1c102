import { createHash, randomBytes } from 'node:crypto';

let lastMs = 0;
let sequence = 0;

// One syscall per 256 ids instead of two per id: ids are made on the ingest hot path.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolOffset = POOL_SIZE;

function random16(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(POOL_SIZE);
    poolOffset = 0;
  }
  const bytes = Buffer.from(pool.subarray(poolOffset, poolOffset + 16));
  poolOffset += 16;
  return bytes;
}

/**
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, then random bits. Ids sort by creation time, so they
 * are also the keyset-pagination cursors. Within one millisecond a 12-bit counter keeps them
 * increasing in this process.
 */
export function newId(now = Date.now()): string {
  if (now <= lastMs) {
    sequence = (sequence + 1) & 0xfff;
    if (sequence === 0) lastMs += 1;
    now = lastMs;
  }
  const bytes = random16();
  if (now > lastMs) {
    lastMs = now;
    sequence = bytes.readUInt16BE(14) & 0x7ff;
  }
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (sequence >> 8);
  bytes[7] = sequence & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f);
  return format(bytes);
}

/**
 * A UUIDv7 derived from a parent UUIDv7 and a name: same inputs, same id. A delivery's id comes from
 * its event and endpoint, so replaying an event batch after a crash finds the deliveries it made
 * (insert conflicts) instead of making new ones, and the id still sorts by the event's time.
 */
export function derivedId(parentV7: string, name: string): string {
  const hash = createHash('sha256').update(parentV7).update('\0').update(name).digest();
  const parent = Buffer.from(parentV7.replace(/-/g, ''), 'hex');
  parent.copy(hash, 0, 0, 6);
  hash[6] = 0x70 | (hash[6]! & 0x0f);
  hash[8] = 0x80 | (hash[8]! & 0x3f);
  return format(hash.subarray(0, 16));
}

function format(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
