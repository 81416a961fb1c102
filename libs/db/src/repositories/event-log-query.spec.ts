import { derivedId, newId } from '@flotilla/contracts';
import { idCeiling, idFloor, keysetPlan, toPage } from './event-log-query';

describe('date bounds as id bounds', () => {
  it('brackets every id made within the millisecond range, and a delivery id with its event', () => {
    const at = Date.parse('2026-03-04T05:06:07.890Z');
    const event = newId(at);
    const delivery = derivedId(event, newId());
    for (const id of [event, delivery]) {
      expect(id >= idFloor(new Date(at))).toBe(true);
      expect(id <= idCeiling(new Date(at))).toBe(true);
      expect(id > idCeiling(new Date(at - 1))).toBe(true);
      expect(id < idFloor(new Date(at + 1))).toBe(true);
    }
  });
});

describe('keyset pages', () => {
  const rows = (n: number): { id: string }[] =>
    Array.from({ length: n }, (_, i) => ({ id: String(i) }));

  it('walks newest first by default, and back from a cursor in reverse, flipped to list order', () => {
    expect(keysetPlan({ perPage: 2, direction: 'next' })).toMatchObject({
      fetchOrder: 'desc',
      reversed: false,
    });
    expect(keysetPlan({ perPage: 2, direction: 'prev', cursor: 'c' })).toMatchObject({
      fetchOrder: 'asc',
      reversed: true,
    });
    expect(keysetPlan({ perPage: 2, direction: 'next', cursor: 'c', sort: 'asc' })).toMatchObject({
      fetchOrder: 'asc',
      reversed: false,
    });
    expect(keysetPlan({ perPage: 2, direction: 'prev', cursor: 'c', sort: 'asc' })).toMatchObject({
      fetchOrder: 'desc',
      reversed: true,
    });
    // "prev" without a cursor is the first page.
    expect(keysetPlan({ perPage: 2, direction: 'prev' })).toMatchObject({
      fetchOrder: 'desc',
      reversed: false,
    });
  });

  it('learns of another page from the extra row', () => {
    expect(toPage(rows(3), keysetPlan({ perPage: 2, direction: 'next' }))).toEqual({
      rows: rows(2),
      hasNext: true,
      hasPrev: false,
    });
    expect(toPage(rows(2), keysetPlan({ perPage: 2, direction: 'next', cursor: 'c' }))).toEqual({
      rows: rows(2),
      hasNext: false,
      hasPrev: true,
    });
    expect(toPage(rows(3), keysetPlan({ perPage: 2, direction: 'prev', cursor: 'c' }))).toEqual({
      rows: rows(2).reverse(),
      hasNext: true,
      hasPrev: true,
    });
  });
});
