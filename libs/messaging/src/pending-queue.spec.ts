import type { ConsumedMessage } from './kafka-batch.transport';
import { PendingQueue } from './pending-queue';

function message(partition: number, offset: number, key: string): ConsumedMessage {
  return {
    topic: 't',
    partition,
    offset: String(offset),
    key,
    value: null,
    headers: {},
    timestamp: '0',
  };
}

const offsets = (messages: ConsumedMessage[]): string[] =>
  messages.map((m) => `${m.partition}:${m.offset}`);

function queueOf(exclusive: 'key' | 'partition' | undefined, messages: ConsumedMessage[]) {
  const queue = new PendingQueue(exclusive);
  for (const each of messages) queue.push(each);
  return queue;
}

describe('PendingQueue', () => {
  it('by key: takes one key per unit, so a slow key never holds another key', () => {
    const queue = queueOf('key', [
      message(0, 1, 'slow'),
      message(0, 2, 'fast'),
      message(0, 3, 'slow'),
      message(1, 1, 'fast'),
    ]);
    const first = queue.take(new Set(), 10);
    expect(offsets(first.unit)).toEqual(['0:1', '0:3']);
    expect([...first.claimed]).toEqual(['0/slow']);
    const second = queue.take(first.claimed, 10);
    expect(offsets(second.unit)).toEqual(['0:2']);
    const third = queue.take(new Set([...first.claimed, ...second.claimed]), 10);
    expect(offsets(third.unit)).toEqual(['1:1']);
    expect(queue.size).toBe(0);
  });

  it('by key: skips busy keys; a key that did not fit keeps its order for the next unit', () => {
    const queue = queueOf('key', [
      message(0, 1, 'a'),
      message(0, 2, 'b'),
      message(0, 3, 'a'),
      message(0, 4, 'b'),
    ]);
    expect(offsets(queue.take(new Set(['0/a']), 1).unit)).toEqual(['0:2']);
    expect(queue.size).toBe(3);
    expect(queue.take(new Set(['0/a', '0/b']), 10).unit).toEqual([]);
    expect(offsets(queue.take(new Set(), 10).unit)).toEqual(['0:1', '0:3']);
    expect(offsets(queue.take(new Set(), 10).unit)).toEqual(['0:4']);
  });

  it('by partition: mixes free partitions up to the batch size, in order within each', () => {
    const queue = queueOf('partition', [
      message(0, 1, 'a'),
      message(1, 1, 'b'),
      message(2, 1, 'c'),
      message(0, 2, 'd'),
    ]);
    const { unit, claimed } = queue.take(new Set(['2']), 10);
    expect(offsets(unit)).toEqual(['0:1', '0:2', '1:1']);
    expect([...claimed].sort()).toEqual(['0', '1']);
    expect(queue.size).toBe(1);
  });

  it('without exclusivity: the head of the queue', () => {
    const queue = queueOf(undefined, [message(0, 1, 'a'), message(0, 2, 'a'), message(1, 1, 'b')]);
    expect(offsets(queue.take(new Set(), 2).unit)).toEqual(['0:1', '0:2']);
    expect(queue.size).toBe(1);
  });

  it('drops the messages of partitions no longer owned', () => {
    const queue = queueOf('key', [message(0, 1, 'a'), message(1, 1, 'a'), message(1, 2, 'b')]);
    queue.retainPartitions(new Set([1]));
    expect(queue.size).toBe(2);
    expect(offsets(queue.take(new Set(), 10).unit)).toEqual(['1:1']);
    queue.clear();
    expect(queue.size).toBe(0);
  });
});
