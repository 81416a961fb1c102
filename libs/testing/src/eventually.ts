/** Retries an assertion until it holds (state converges asynchronously) or the time is up. */
export async function eventually<T>(
  assertion: () => Promise<T>,
  timeoutMs = 20_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/**
 * Stops what a test started, in order, even when `beforeAll` failed half way (some of them were
 * never assigned) or one of them fails to stop.
 */
export async function stopAll(
  ...items: ({ stop: () => Promise<unknown> } | undefined)[]
): Promise<void> {
  for (const item of items) await item?.stop().catch(() => undefined);
}
