/**
 * One step of offered load against one system: events at a fixed arrival rate for a warm-up and
 * then a measured hold, then a drain while late deliveries arrive, and a ledger that must balance.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ArrivalReceiver } from './arrival-receiver';
import { percentile, runOpenModel } from './open-model';

/** Something events can be offered to: a baseline or Flotilla in one scenario. */
export interface SystemUnderTest {
  name: string;
  /** Offers event `n` (its body must carry `"n":<n>`); answers the HTTP status. */
  send: (n: number) => Promise<number>;
  /** The endpoints expected to receive event `n` (none for an endpoint meant to fail). */
  recipients: (n: number) => readonly number[];
}

export interface StepOptions {
  rate: number;
  warmUpSeconds: number;
  holdSeconds: number;
  /** How long after the last send to wait for late deliveries before counting them missing. */
  drainSeconds: number;
}

export interface StepResult {
  system: string;
  rate: number;
  holdSeconds: number;
  /** Events answered 2xx (accepted), and the deliveries they owe. */
  accepted: number;
  refused: number;
  owed: number;
  delivered: number;
  /** Owed deliveries that had not arrived by the end of the drain (a backlog, or lost). */
  missing: number;
  /** Arrivals of events that were never accepted: the ledger does not balance, the step is void. */
  unaccounted: number;
  /** Deliveries per second arriving during the hold (any event's). */
  deliveredRate: number;
  offeredDeliveryRate: number;
  /** Delivered rate within 1 % of offered, nothing missing or refused, ledger balanced. */
  sustained: boolean;
  /** Scheduled send → arrival, ms, for events scheduled during the hold. */
  latency: { p50: number; p90: number; p99: number; max: number };
  /** Scheduled send → 2xx answer, ms, for events scheduled during the hold. */
  answer: { p50: number; p99: number };
}

const epochNow = (): number => performance.timeOrigin + performance.now();

/**
 * Runs one step. `firstN` numbers its events (unique across the whole run, so arrivals of an
 * earlier step's stragglers are never counted for this one).
 */
export async function runStep(
  system: SystemUnderTest,
  receiver: ArrivalReceiver,
  firstN: number,
  options: StepOptions,
): Promise<StepResult> {
  const seconds = options.warmUpSeconds + options.holdSeconds;
  const count = Math.round(options.rate * seconds);
  const scheduled = new Float64Array(count);
  const answeredAfter = new Float64Array(count);
  const accepted = new Uint8Array(count);
  await receiver.drain(); // stragglers of earlier steps are not this step's
  const start = epochNow();
  const holdStart = start + options.warmUpSeconds * 1000;
  const holdEnd = start + seconds * 1000;
  await runOpenModel({
    rate: options.rate,
    seconds,
    send: async (index, scheduledAt) => {
      scheduled[index] = performance.timeOrigin + scheduledAt;
      const status = await system.send(firstN + index).catch(() => 0);
      answeredAfter[index] = performance.timeOrigin + performance.now() - scheduled[index];
      if (status >= 200 && status < 300) accepted[index] = 1;
      return status;
    },
  });

  // The ledger: which deliveries each accepted event owes, and which arrived.
  const owed = new Set<string>();
  let acceptedCount = 0;
  for (let index = 0; index < count; index += 1) {
    if (!accepted[index]) continue;
    acceptedCount += 1;
    for (const endpoint of system.recipients(firstN + index)) {
      owed.add(`${String(endpoint)}:${String(firstN + index)}`);
    }
  }
  const arrivedAt = new Map<string, number>();
  let unaccounted = 0;
  const drainUntil = epochNow() + options.drainSeconds * 1000;
  for (;;) {
    for (const arrival of await receiver.drain()) {
      const index = arrival.n - firstN;
      if (index < 0 || index >= count) continue;
      const key = `${String(arrival.endpoint)}:${String(arrival.n)}`;
      if (!owed.has(key)) unaccounted += 1;
      else arrivedAt.set(key, arrival.at);
    }
    if (arrivedAt.size >= owed.size || epochNow() > drainUntil) break;
    await sleep(200);
  }

  const latencies: number[] = [];
  const answers: number[] = [];
  let inHold = 0;
  for (const [key, at] of arrivedAt) {
    if (at >= holdStart && at <= holdEnd) inHold += 1;
    const index = Number(key.slice(key.indexOf(':') + 1)) - firstN;
    if (scheduled[index]! >= holdStart) latencies.push(at - scheduled[index]!);
  }
  for (let index = 0; index < count; index += 1) {
    if (scheduled[index]! >= holdStart) answers.push(answeredAfter[index]!);
  }
  latencies.sort((a, b) => a - b);
  answers.sort((a, b) => a - b);
  const perEvent = owed.size / Math.max(1, acceptedCount);
  const deliveredRate = inHold / options.holdSeconds;
  const offeredDeliveryRate = options.rate * perEvent;
  const missing = owed.size - arrivedAt.size;
  const refused = count - acceptedCount;
  return {
    system: system.name,
    rate: options.rate,
    holdSeconds: options.holdSeconds,
    accepted: acceptedCount,
    refused,
    owed: owed.size,
    delivered: arrivedAt.size,
    missing,
    unaccounted,
    deliveredRate,
    offeredDeliveryRate,
    sustained:
      missing === 0 &&
      refused === 0 &&
      unaccounted === 0 &&
      deliveredRate >= 0.99 * offeredDeliveryRate,
    latency: {
      p50: percentile(latencies, 50),
      p90: percentile(latencies, 90),
      p99: percentile(latencies, 99),
      max: latencies.at(-1) ?? Number.NaN,
    },
    answer: { p50: percentile(answers, 50), p99: percentile(answers, 99) },
  };
}
