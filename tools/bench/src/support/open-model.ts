/**
 * Open-model load: request i is scheduled at start + i / rate whatever happened to the ones
 * before, and its latency runs from that scheduled time (not from when it was sent), so a server
 * that falls behind shows it in full instead of slowing the generator down with it (no
 * coordinated omission).
 */
export interface OpenModelResult {
  scheduled: number;
  /** Answers per status (0: no answer, a connection error). */
  statuses: Map<number, number>;
  /** Scheduled time → answer, in ms, of every request, sorted. */
  latenciesMs: number[];
  /** Requests answered per second over the whole run. */
  achievedRate: number;
}

export async function runOpenModel(options: {
  rate: number;
  seconds: number;
  /** Sends request `index`, due at `scheduledAt` (performance.now() time); answers its HTTP status. */
  send: (index: number, scheduledAt: number) => Promise<number>;
}): Promise<OpenModelResult> {
  const total = Math.round(options.rate * options.seconds);
  const statuses = new Map<number, number>();
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  let next = 0;
  const fire = (index: number, scheduledAt: number): void => {
    const done = options
      .send(index, scheduledAt)
      .catch(() => 0)
      .then((status) => {
        latencies.push(performance.now() - scheduledAt);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        inFlight.delete(done);
      });
    inFlight.add(done);
  };
  while (next < total) {
    const now = performance.now();
    // Everything due by now goes out now, each with its own scheduled time.
    while (next < total && start + (next * 1000) / options.rate <= now) {
      fire(next, start + (next * 1000) / options.rate);
      next += 1;
    }
    const wait = start + (next * 1000) / options.rate - performance.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(wait, 5))));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    scheduled: total,
    statuses,
    latenciesMs: latencies,
    achievedRate: latencies.length / elapsed,
  };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
