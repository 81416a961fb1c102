import type { ConsumedMessage } from './kafka-batch.transport';
import { takeUnit } from './unit-picker';

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

describe('takeUnit', () => {
  it('by key: takes one key per unit, so a slow key never holds another key', () => {
    const queue = [
      message(0, 1, 'slow'),
      message(0, 2, 'fast'),
      message(0, 3, 'slow'),
      message(1, 1, 'fast'),
    ];
    const first = takeUnit(queue, new Set(), 10, 'key');
    expect(offsets(first.unit)).toEqual(['0:1', '0:3']);
    expect([...first.claimed]).toEqual(['0/slow']);
    const second = takeUnit(queue, first.claimed, 10, 'key');
    expect(offsets(second.unit)).toEqual(['0:2']);
    const third = takeUnit(queue, new Set([...first.claimed, ...second.claimed]), 10, 'key');
    expect(offsets(third.unit)).toEqual(['1:1']);
    expect(queue).toHaveLength(0);
  });

  it('by key: skips busy keys and keeps the queue order of what it leaves', () => {
    const queue = [message(0, 1, 'a'), message(0, 2, 'b'), message(0, 3, 'a'), message(0, 4, 'b')];
    const { unit } = takeUnit(queue, new Set(['0/a']), 1, 'key');
    expect(offsets(unit)).toEqual(['0:2']);
    expect(offsets(queue)).toEqual(['0:1', '0:3', '0:4']);
  });

  it('by partition: mixes free partitions up to the batch size', () => {
    const queue = [message(0, 1, 'a'), message(1, 1, 'b'), message(2, 1, 'c'), message(0, 2, 'd')];
    const { unit, claimed } = takeUnit(queue, new Set(['2']), 10, 'partition');
    expect(offsets(unit)).toEqual(['0:1', '1:1', '0:2']);
    expect([...claimed].sort()).toEqual(['0', '1']);
    expect(offsets(queue)).toEqual(['2:1']);
  });

  it('without exclusivity: the head of the queue', () => {
    const queue = [message(0, 1, 'a'), message(0, 2, 'a'), message(1, 1, 'b')];
    expect(offsets(takeUnit(queue, new Set(), 2, undefined).unit)).toEqual(['0:1', '0:2']);
  });
});
