import type { Cursor, PageResult } from '../records';

/**
 * Keyset pagination over UUIDv7 ids (newest first). Fetches one row more than asked to learn if
 * there is another page, so a page costs one index range scan whatever the table size.
 */
export async function keysetPage<T extends { id: string }>(
  cursor: Cursor,
  fetch: (args: {
    where: { id?: { lt: string } | { gt: string } };
    orderBy: { id: 'asc' | 'desc' };
    take: number;
  }) => Promise<T[]>,
): Promise<PageResult<T>> {
  const backwards = cursor.direction === 'prev' && cursor.cursor !== undefined;
  const rows = await fetch({
    where:
      cursor.cursor === undefined
        ? {}
        : { id: backwards ? { gt: cursor.cursor } : { lt: cursor.cursor } },
    orderBy: { id: backwards ? 'asc' : 'desc' },
    take: cursor.perPage + 1,
  });
  const more = rows.length > cursor.perPage;
  const page = rows.slice(0, cursor.perPage);
  if (backwards) page.reverse();
  return {
    rows: page,
    hasNext: backwards ? true : more,
    hasPrev: backwards ? more : cursor.cursor !== undefined,
  };
}
