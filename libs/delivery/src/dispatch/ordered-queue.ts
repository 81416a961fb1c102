import {
  ORDERED_WAITING_UNTIL,
  type DeliveryResult,
  type DispatchRow,
  type NewAttempt,
  type OrderedRow,
} from '@flotilla/db';

/**
 * Ordered endpoints (strict FIFO, ADR 0010): the database is the queue. A delivery message for an
 * ordered endpoint only wakes its queue; the dispatcher then sends the endpoint's oldest unfinished
 * deliveries one at a time, in `seq` order, and moves on only when the one at the head finished
 * (Success, or Failure after its retries). While the head waits for a retry the rest stay
 * Scheduled, unattempted; the head's completion drains them in the same unit of work.
 */

/** Rows read from the queue at once. */
export const ORDERED_PAGE_SIZE = 100;
/**
 * How long one unit of work keeps draining a queue before handing the rest on (through the
 * scheduler, or the endpoint's next messages): bounds how long a unit slot is held and a shutdown waits.
 */
export const ORDERED_DRAIN_BUDGET_MS = 2000;

/** Outcomes after which the head is finished and the next delivery may go. */
const FINISHED = new Set(['success', 'failure', 'gone', 'discarded', 'skipped']);

/** Whether the queue moves on after the head's outcome (anything else keeps the head where it is). */
export function letsNextGo(outcome: string): boolean {
  return FINISHED.has(outcome);
}

/**
 * Whether the head may be sent now. A head in Retry waits for its backoff unless this wake-up is
 * its own (the scheduler republished it because it is due): other deliveries' messages must not
 * hurry its retries. A head parked behind one that has since finished has waited long enough.
 */
export function headIsDue(
  head: Pick<OrderedRow, 'id' | 'status' | 'nextAttemptAt'>,
  wokenBy: ReadonlySet<string>,
  now: number,
): boolean {
  if (head.status !== 'Retry' || wokenBy.has(head.id)) return true;
  const at = head.nextAttemptAt.getTime();
  return at <= now || at >= ORDERED_WAITING_UNTIL.getTime();
}

export type DrainEnd = 'drained' | 'head-waiting' | 'head-held' | 'budget';

export interface OrderedQueueIo<O extends string = string> {
  load(endpointId: string, limit: number): Promise<OrderedRow[]>;
  /** One delivery through the dispatcher's checks and send; pushes its result and attempt. */
  handle(row: DispatchRow, results: DeliveryResult[], attempts: NewAttempt[]): Promise<O>;
  /** Called for every handled delivery (metrics, endpoint disabling). */
  observe(row: DispatchRow, outcome: O): void;
  /** Writes a page's attempts and results (before the next page is read). */
  record(
    rows: readonly DispatchRow[],
    results: DeliveryResult[],
    attempts: NewAttempt[],
  ): Promise<void>;
  /** Makes the head due now, so the scheduler wakes the queue again. */
  markDue(id: string): Promise<void>;
}

export interface DrainOptions {
  pageSize?: number;
  budgetMs?: number;
  now?: () => number;
}

/**
 * Drains one ordered endpoint's queue from its head. The caller must own the endpoint (the
 * deliver stage's units are exclusive per endpoint key), so one drain runs per endpoint.
 */
export async function drainOrderedQueue<O extends string>(
  endpointId: string,
  wokenBy: ReadonlySet<string>,
  io: OrderedQueueIo<O>,
  options: DrainOptions = {},
): Promise<{ handled: number; end: DrainEnd }> {
  const pageSize = options.pageSize ?? ORDERED_PAGE_SIZE;
  const budgetMs = options.budgetMs ?? ORDERED_DRAIN_BUDGET_MS;
  const now = options.now ?? Date.now;
  const started = now();
  let handled = 0;
  // After a 410 the endpoint is being disabled: the rest of its queue is discarded, in order.
  let gone = false;
  for (;;) {
    const page = await io.load(endpointId, pageSize);
    const results: DeliveryResult[] = [];
    const attempts: NewAttempt[] = [];
    let end: DrainEnd | undefined;
    let head: OrderedRow | undefined;
    for (const row of page) {
      head = row;
      if (!headIsDue(row, wokenBy, now())) {
        end = 'head-waiting';
        break;
      }
      if (handled > 0 && now() - started >= budgetMs) {
        end = 'budget';
        break;
      }
      const effective: DispatchRow = gone ? { ...row, endpointStatus: 'inactive' } : row;
      const outcome = await io.handle(effective, results, attempts);
      handled += 1;
      io.observe(effective, outcome);
      if (outcome === 'gone') gone = true;
      if (!letsNextGo(outcome)) {
        end = 'head-held';
        break;
      }
    }
    await io.record(page, results, attempts);
    if (end === 'budget' && head) await io.markDue(head.id);
    if (end) return { handled, end };
    if (page.length < pageSize) return { handled, end: 'drained' };
  }
}
