import type { Admin, Kafka } from 'kafkajs';
import type { Gauge } from 'prom-client';
import type { Logger } from '@flotilla/observability';

interface Owned {
  group: string;
  topic: string;
  partitions: readonly number[];
}

/**
 * Consumer lag (log end offset minus the group's committed offset) of the partitions this replica
 * owns, read from the broker when /metrics is scraped. Each replica reports only its own
 * partitions, so `sum by (group, topic)` over replicas counts every partition once. A scrape waits
 * at most `timeoutMs` for the broker; past that the previous values stay.
 */
export class ConsumerLagMonitor {
  private readonly owned = new Map<string, Owned>();
  private admin: Admin | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly logger: Logger,
    private readonly timeoutMs = 2000,
  ) {}

  assign(group: string, topic: string, partitions: readonly number[]): void {
    this.owned.set(`${group}\0${topic}`, { group, topic, partitions: [...partitions] });
  }

  async collect(gauge: Gauge<'group' | 'topic' | 'partition'>): Promise<void> {
    if (this.owned.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      const samples = await Promise.race([
        this.sample(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`lag not read within ${this.timeoutMs} ms`));
          }, this.timeoutMs);
        }),
      ]);
      // Partitions that moved to another replica stop being reported here.
      gauge.reset();
      for (const { group, topic, partition, lag } of samples)
        gauge.set({ group, topic, partition: String(partition) }, lag);
    } catch (error) {
      this.logger.debug({ err: error }, 'consumer lag not sampled');
    } finally {
      clearTimeout(timer);
    }
  }

  async sample(): Promise<{ group: string; topic: string; partition: number; lag: number }[]> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    const admin = this.admin;
    const results = await Promise.all(
      [...this.owned.values()].map(async ({ group, topic, partitions }) => {
        if (partitions.length === 0) return [];
        const [ends, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(topic),
          admin.fetchOffsets({ groupId: group, topics: [topic] }),
        ]);
        return partitions.map((partition) => {
          const end = ends.find((entry) => entry.partition === partition);
          const done = committed?.partitions.find((entry) => entry.partition === partition);
          const high = Number(end?.high ?? 0);
          // No commit yet (-1): the group reads from the start of the log.
          const from =
            done && Number(done.offset) >= 0 ? Number(done.offset) : Number(end?.low ?? 0);
          return { group, topic, partition, lag: Math.max(0, high - from) };
        });
      }),
    );
    return results.flat();
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}
