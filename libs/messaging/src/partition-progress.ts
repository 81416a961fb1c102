/**
 * Tracks which offsets of one partition are finished, so the committed offset never passes a
 * message that is still being worked on: work finishes out of order, commits follow the lowest
 * unfinished offset (a watermark).
 */
export class PartitionProgress {
  private offsets: bigint[] = [];
  private head = 0;
  private readonly done = new Set<bigint>();
  private highest = -1n;
  private committed = -1n;

  /** Returns false for an offset already seen (Kafka refetches after a rebalance). */
  add(offset: string): boolean {
    const value = BigInt(offset);
    if (value <= this.highest) return false;
    this.highest = value;
    this.offsets.push(value);
    return true;
  }

  complete(offset: string): void {
    this.done.add(BigInt(offset));
  }

  /** The offset to commit (next to read), if it moved since the last call to `markCommitted`. */
  committable(): string | undefined {
    let next: bigint | undefined;
    while (this.head < this.offsets.length && this.done.has(this.offsets[this.head]!)) {
      const offset = this.offsets[this.head]!;
      this.done.delete(offset);
      next = offset + 1n;
      this.head += 1;
    }
    if (this.head > 1024 && this.head * 2 > this.offsets.length) {
      this.offsets = this.offsets.slice(this.head);
      this.head = 0;
    }
    if (next !== undefined) this.committed = next;
    return next !== undefined ? next.toString() : undefined;
  }

  get pending(): number {
    return this.offsets.length - this.head;
  }

  get lastCommittable(): string | undefined {
    return this.committed >= 0n ? this.committed.toString() : undefined;
  }
}
