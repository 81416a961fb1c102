import { PartitionProgress } from './partition-progress';

describe('PartitionProgress', () => {
  it('commits only up to the lowest unfinished offset', () => {
    const progress = new PartitionProgress();
    for (const offset of ['10', '11', '12', '13']) expect(progress.add(offset)).toBe(true);
    progress.complete('12');
    expect(progress.committable()).toBeUndefined();
    progress.complete('10');
    expect(progress.committable()).toBe('11');
    progress.complete('11');
    expect(progress.committable()).toBe('13');
    progress.complete('13');
    expect(progress.committable()).toBe('14');
    expect(progress.pending).toBe(0);
  });

  it('ignores offsets it has already seen', () => {
    const progress = new PartitionProgress();
    progress.add('5');
    expect(progress.add('5')).toBe(false);
    expect(progress.add('4')).toBe(false);
    expect(progress.add('6')).toBe(true);
  });
});
