import { GateAbortedError, ProduceGate } from './produce-gate';

describe('ProduceGate', () => {
  const signal = new AbortController().signal;

  it('lets everyone through while Kafka is healthy', async () => {
    const gate = new ProduceGate();
    await expect(Promise.all([gate.pass(signal), gate.pass(signal)])).resolves.toHaveLength(2);
  });

  it('after a failure holds everyone for the backoff, then lets one probe through', async () => {
    const changes: boolean[] = [];
    const gate = new ProduceGate({ initialBackoffMs: 50, maxBackoffMs: 200 }, (healthy) =>
      changes.push(healthy),
    );
    gate.failed();
    expect(gate.isHealthy).toBe(false);
    const started = Date.now();
    const passed: number[] = [];
    const callers = [1, 2, 3].map((n) => gate.pass(signal).then(() => passed.push(n)));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(passed).toHaveLength(1); // one probe, the others wait for its result
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    gate.succeeded();
    await Promise.all(callers);
    expect(passed).toHaveLength(3);
    expect(changes).toEqual([false, true]);
  });

  it('backs off exponentially up to the cap while probes keep failing', async () => {
    const gate = new ProduceGate({ initialBackoffMs: 20, maxBackoffMs: 80 });
    const gaps: number[] = [];
    gate.failed();
    let last = Date.now();
    for (let i = 0; i < 4; i++) {
      await gate.pass(signal);
      gaps.push(Date.now() - last);
      last = Date.now();
      gate.failed();
    }
    expect(gaps[0]).toBeLessThan(60);
    expect(gaps[3]).toBeGreaterThanOrEqual(60);
    expect(gaps[3]).toBeLessThan(200);
  });

  it('stops waiting when the caller is stopped', async () => {
    const gate = new ProduceGate({ initialBackoffMs: 10_000, maxBackoffMs: 10_000 });
    gate.failed();
    const controller = new AbortController();
    const waiting = gate.pass(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(GateAbortedError);
  });
});
