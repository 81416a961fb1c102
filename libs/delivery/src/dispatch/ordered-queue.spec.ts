import {
  ORDERED_WAITING_UNTIL,
  type DeliveryResult,
  type DispatchRow,
  type OrderedRow,
} from '@flotilla/db';
import { drainOrderedQueue, headIsDue, letsNextGo, type OrderedQueueIo } from './ordered-queue';

const NOW = 1_800_000_000_000;

function row(
  id: string,
  status: OrderedRow['status'] = 'Scheduled',
  nextAttemptAt = new Date(NOW + 300_000),
): OrderedRow {
  return {
    id,
    endpointId: 'ep',
    status,
    nextAttemptAt,
    endpointStatus: 'active',
    ordered: true,
  } as OrderedRow;
}

/** An in-memory queue standing in for the table: `record` applies results as the UPDATE would. */
function queue(
  rows: OrderedRow[],
  outcomeOf: (row: DispatchRow) => string,
  clock = { now: NOW, perSend: 0 },
) {
  const sent: string[] = [];
  const seen: DispatchRow[] = [];
  const recorded: string[][] = [];
  const markedDue: string[] = [];
  const io: OrderedQueueIo = {
    load: (_endpointId, limit) =>
      Promise.resolve(
        rows.filter((r) => ['Scheduled', 'Processing', 'Retry'].includes(r.status)).slice(0, limit),
      ),
    handle: (r, results) => {
      clock.now += clock.perSend;
      seen.push(r);
      const outcome = outcomeOf(r);
      if (outcome !== 'discarded') sent.push(r.id);
      const status: DeliveryResult['status'] =
        outcome === 'success'
          ? 'Success'
          : outcome === 'retry'
            ? 'Retry'
            : outcome === 'discarded'
              ? 'Discarded'
              : 'Failure';
      results.push({
        id: r.id,
        status,
        attempted: 1,
        nextAttemptAt: new Date(clock.now + 1000),
        latencyMs: 1,
        lastError: null,
      });
      return Promise.resolve(outcome);
    },
    observe: () => undefined,
    record: (_rows, results) => {
      recorded.push(results.map((result) => result.id));
      for (const result of results) {
        const target = rows.find((r) => r.id === result.id)!;
        target.status = result.status;
        target.nextAttemptAt = result.nextAttemptAt;
      }
      return Promise.resolve();
    },
    markDue: (id) => {
      markedDue.push(id);
      return Promise.resolve();
    },
  };
  return { io, sent, seen, recorded, markedDue, clock };
}

describe('ordered queue', () => {
  it('moves on only after a finished outcome', () => {
    expect(['success', 'failure', 'gone', 'discarded', 'skipped'].every(letsNextGo)).toBe(true);
    expect(['retry', 'deferred', 'throttled', 'circuit_open'].some(letsNextGo)).toBe(false);
  });

  it('lets a Retry head wait for its backoff unless the wake-up is its own or it is due', () => {
    const waiting = row('a', 'Retry', new Date(NOW + 1000));
    expect(headIsDue(waiting, new Set(['b']), NOW)).toBe(false);
    expect(headIsDue(waiting, new Set(['a']), NOW)).toBe(true);
    expect(headIsDue(waiting, new Set(), NOW + 1000)).toBe(true);
    expect(headIsDue(row('p', 'Retry', ORDERED_WAITING_UNTIL), new Set(), NOW)).toBe(true);
    // Scheduled deliveries carry a safety lease in the future; they are due as soon as they are the head.
    expect(headIsDue(row('s'), new Set(), NOW)).toBe(true);
  });

  it('sends in order and stops at the first delivery that will be retried', async () => {
    const rows = ['1', '2', '3', '4'].map((id) => row(id));
    const q = queue(rows, (r) => (r.id === '3' ? 'retry' : 'success'));
    const report = await drainOrderedQueue('ep', new Set(['1']), q.io, { now: () => q.clock.now });
    expect(report).toEqual({ handled: 3, end: 'head-held' });
    expect(q.sent).toEqual(['1', '2', '3']);
    expect(q.recorded).toEqual([['1', '2', '3']]);
    expect(rows.map((r) => r.status)).toEqual(['Success', 'Success', 'Retry', 'Scheduled']);
  });

  it('attempts nothing while the head waits for a retry that is not due', async () => {
    const rows = [row('1', 'Retry', new Date(NOW + 5000)), row('2')];
    const q = queue(rows, () => 'success');
    expect(await drainOrderedQueue('ep', new Set(['2']), q.io, { now: () => q.clock.now })).toEqual(
      {
        handled: 0,
        end: 'head-waiting',
      },
    );
    expect(q.sent).toEqual([]);
  });

  it('continues with the queue when the head is retried successfully, across pages', async () => {
    const rows = [
      row('1', 'Retry', new Date(NOW + 5000)),
      ...Array.from({ length: 6 }, (_, n) => row(String(n + 2))),
    ];
    const q = queue(rows, () => 'success');
    const report = await drainOrderedQueue('ep', new Set(['1']), q.io, {
      pageSize: 3,
      now: () => q.clock.now,
    });
    expect(report).toEqual({ handled: 7, end: 'drained' });
    expect(q.sent).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    expect(q.recorded).toEqual([['1', '2', '3'], ['4', '5', '6'], ['7']]);
  });

  it('hands the rest on after its time budget by making the next head due', async () => {
    const rows = Array.from({ length: 10 }, (_, n) => row(String(n)));
    const q = queue(rows, () => 'success', { now: NOW, perSend: 400 });
    const report = await drainOrderedQueue('ep', new Set(), q.io, {
      budgetMs: 1000,
      now: () => q.clock.now,
    });
    expect(report).toEqual({ handled: 3, end: 'budget' });
    expect(q.markedDue).toEqual(['3']);
    expect(q.recorded).toEqual([['0', '1', '2']]);
  });

  it('discards the rest of the queue in order once the receiver answered 410 Gone', async () => {
    const rows = ['1', '2', '3'].map((id) => row(id));
    const q = queue(rows, (r) =>
      r.endpointStatus === 'inactive' ? 'discarded' : r.id === '1' ? 'gone' : 'success',
    );
    expect(await drainOrderedQueue('ep', new Set(), q.io, { now: () => q.clock.now })).toEqual({
      handled: 3,
      end: 'drained',
    });
    expect(q.sent).toEqual(['1']);
    expect(q.seen.map((r) => r.endpointStatus)).toEqual(['active', 'inactive', 'inactive']);
  });
});
