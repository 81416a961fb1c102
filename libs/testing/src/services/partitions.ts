import { TOPICS } from '@flotilla/contracts';
import { partitionOf } from '@flotilla/messaging';
import { eventually } from '../eventually';
import { metricValue, type ServiceProcess } from './service-process';

/** The deliveries-topic partition an endpoint's deliveries go to (the topic is keyed by endpoint id). */
export function deliveryPartitionOf(endpointId: string): number {
  return partitionOf(TOPICS.deliveries.name, endpointId, TOPICS.deliveries.partitions);
}

/**
 * Waits until the dispatcher replicas have settled into one consumer group per stage: every
 * replica owns some partitions of both topics and together they own each partition once, on two
 * scrapes in a row (a rebalance in progress shows up as overlapping or missing partitions).
 */
export async function waitForDispatcherGroup(
  replicas: readonly ServiceProcess[],
  timeoutMs = 60_000,
): Promise<void> {
  const stages = [
    { stage: 'route', partitions: TOPICS.events.partitions },
    { stage: 'deliver', partitions: TOPICS.deliveries.partitions },
  ];
  let settledOnce = false;
  await eventually(
    async () => {
      const scrapes = await Promise.all(replicas.map((replica) => replica.metrics()));
      const owned = stages.map(({ stage, partitions }) => ({
        stage,
        partitions,
        counts: scrapes.map((scrape) =>
          metricValue(scrape, 'flotilla_consumer_assigned_partitions', { stage }),
        ),
      }));
      const settled = owned.every(
        ({ partitions, counts }) =>
          counts.every((count) => count > 0) &&
          counts.reduce((sum, count) => sum + count, 0) === partitions,
      );
      const confirmed = settled && settledOnce;
      settledOnce = settled;
      if (!confirmed) {
        const seen = owned.map(({ stage, counts }) => `${stage} ${counts.join('+')}`).join(', ');
        throw new Error(
          `the dispatcher consumer groups have not settled yet (partitions owned: ${seen})`,
        );
      }
    },
    timeoutMs,
    500,
  );
}
