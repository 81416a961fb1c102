import type {
  BrokerBatchHandler,
  BrokerMessage,
  MessageDecision,
  SourceRunHooks,
} from '../broker/broker-source.adapter';

// Test-only (the adapters' integration tests): not exported from the library.

/** The ids of the source the adapter tests run. */
export const TEST_SOURCE = {
  id: '0190a4d2-0000-7000-8000-000000000001',
  projectId: '0190a4d2-0000-7000-8000-000000000002',
};

/** Hooks that record what an adapter reports. */
export function recordingHooks(): {
  state: { acked: number; deadLettered: number; failed: Error[]; latencies: number[] };
  value: SourceRunHooks;
} {
  const state = { acked: 0, deadLettered: 0, failed: [] as Error[], latencies: [] as number[] };
  const value: SourceRunHooks = {
    acked: (count, seconds) => {
      state.acked += count;
      state.latencies.push(...seconds);
    },
    deadLettered: (count) => {
      state.deadLettered += count;
    },
    failed: (error) => {
      state.failed.push(error);
    },
  };
  return { state, value };
}

/** Polls until `check` holds; fails after `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** `count` numbered broadcast messages, as a producer sends them. */
export function numberedBroadcasts(
  count: number,
): { body: string; attributes: Record<string, string> }[] {
  return Array.from({ length: count }, (_, n) => ({
    body: JSON.stringify({ n }),
    attributes: { 'x-convoy-message-type': 'broadcast' },
  }));
}

/** Messages came with their attributes and publish times. */
export function expectBroadcastMetadata(seen: readonly BrokerMessage[]): void {
  expect(seen[0]!.attributes).toEqual({ 'x-convoy-message-type': 'broadcast' });
  expect(seen[0]!.publishedAt).toBeGreaterThan(Date.now() - 60_000);
}

/** Acks every message, keeping them and the size of each batch. */
export function ackEverything(): {
  handler: BrokerBatchHandler;
  seen: BrokerMessage[];
  batchSizes: number[];
} {
  const seen: BrokerMessage[] = [];
  const batchSizes: number[] = [];
  const handler: BrokerBatchHandler = (messages) => {
    seen.push(...messages);
    batchSizes.push(messages.length);
    return Promise.resolve(messages.map((): MessageDecision => ({ kind: 'ack' })));
  };
  return { handler, seen, batchSizes };
}

/** Rejects the body 'not json' as malformed_json; gives another message back once, then acks it. */
export function rejectOneReleaseOnce(): { handler: BrokerBatchHandler; releases: () => number } {
  let releases = 0;
  const handler: BrokerBatchHandler = (messages) =>
    Promise.resolve(
      messages.map((message): MessageDecision => {
        if (message.body.toString() === 'not json')
          return { kind: 'reject', reason: 'malformed_json', detail: 'not JSON' };
        releases += 1;
        return releases === 1 ? { kind: 'release' } : { kind: 'ack' };
      }),
    );
  return { handler, releases: () => releases };
}

/** Holds every batch as while Kafka is away, until the adapter's hold aborts; then gives it back. */
export function holdUntilAborted(): { handler: BrokerBatchHandler; calls: () => number } {
  let calls = 0;
  const handler: BrokerBatchHandler = async (messages, signal) => {
    calls += 1;
    await new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => {
        resolve();
      });
    });
    return messages.map((): MessageDecision => ({ kind: 'release' }));
  };
  return { handler, calls: () => calls };
}
