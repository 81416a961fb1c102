/**
 * kafkajs 2.2.4 keeps every broker connection's request queue spinning on a 1 ms timer while it has
 * nothing to send: `scheduleCheckPendingRequests` arms a timer for `throttledUntil - now`, which is
 * negative when not throttled, and each check arms the next (tulios/kafkajs#1556, #1704; the fix,
 * #1667, is unreleased). Idle, that loop cost each service about 1.5 % of a core. This applies the
 * upstream fix: with nothing pending and no throttle in force, no check is scheduled; a request
 * that has to wait is queued through `push`, which schedules its own check, and a finished request
 * checks the queue itself.
 */
interface RequestQueueInternals {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  scheduleCheckPendingRequests: (this: RequestQueueInternals) => void;
}

const PATCHED = Symbol.for('flotilla.kafkajs.requestQueueIdleFix');

// The request queue is not part of kafkajs's public API, so it is reached by its path.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const RequestQueue = require('kafkajs/src/network/requestQueue') as {
  prototype: RequestQueueInternals & { [PATCHED]?: true };
};

export function patchKafkajsRequestQueue(): void {
  const prototype = RequestQueue.prototype;
  if (prototype[PATCHED]) return;
  const original = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
    this: RequestQueueInternals,
  ): void {
    if (this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  prototype[PATCHED] = true;
}

/** For tests: the kafkajs class the patch applies to. */
export const kafkajsRequestQueue: unknown = RequestQueue;
