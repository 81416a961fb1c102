/**
 * Per-endpoint rate limit over a sliding window. The deliver topic is keyed by endpoint, so one
 * dispatcher owns an endpoint at a time and a local limiter holds across replicas (see
 * docs/guarantees.md for what an ownership move costs).
 *
 * What must hold is what the receiver counts: at most `limit` arrivals in any window. A request
 * arrives somewhere between the moment we start it and the moment its answer (or error) is back,
 * and under CPU load that gap varies, so counting start times alone lets a delayed request bunch
 * up with the next ones. Each request therefore counts from its start until a window after it
 * ended: if `limit + 1` requests arrived within one window, the last one started while the others
 * were in flight or had ended less than a window before — which this limiter refuses.
 */
export const RATE_WINDOW_MARGIN_MS = 50;

export type RateDecision =
  | {
      allowed: true;
      /** The request is over (answered, failed, or never sent). */ done: (at?: number) => void;
    }
  | { allowed: false; retryAt: number };

interface Send {
  start: number;
  end: number | undefined;
}

const unlimited: RateDecision = { allowed: true, done: () => undefined };

export class EndpointRateLimiter {
  private readonly sends = new Map<string, Send[]>();

  tryAcquire(endpointId: string, limit: number, windowMs: number, now = Date.now()): RateDecision {
    if (limit <= 0) return unlimited;
    const window = windowMs + RATE_WINDOW_MARGIN_MS;
    const live = (this.sends.get(endpointId) ?? []).filter(
      (send) => send.end === undefined || now - send.end < window,
    );
    if (live.length >= limit) {
      this.sends.set(endpointId, live);
      // Requests still in flight free their slot a window after they end, at the earliest from now.
      const ends = live.map((send) => send.end ?? now).sort((a, b) => a - b);
      return { allowed: false, retryAt: ends[live.length - limit]! + window };
    }
    const send: Send = { start: now, end: undefined };
    live.push(send);
    this.sends.set(endpointId, live);
    return {
      allowed: true,
      done: (at = Date.now()) => {
        send.end = Math.max(at, send.start);
      },
    };
  }
}
