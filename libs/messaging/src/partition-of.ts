import { Partitioners } from 'kafkajs';

/**
 * The partition our producer puts a keyed message in (kafkajs' default partitioner: murmur2 of the
 * key). Tests use it to place endpoints in the same partition on purpose.
 */
export function partitionOf(topic: string, key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  return partitioner({
    topic,
    partitionMetadata: Array.from({ length: partitions }, (_, partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 0,
      replicas: [0],
      isr: [0],
    })),
    message: { key, value: null },
  });
}
