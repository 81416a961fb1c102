import { Inject, Injectable } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { KAFKA_CLIENT } from './kafka-client.token';

/** What the broker says about a topic, for code outside this library (which never sees kafkajs). */
@Injectable()
export class TopicMetadata {
  constructor(@Inject(KAFKA_CLIENT) private readonly kafka: Kafka) {}

  /** The topic's partition count as the broker reports it (operators may have grown it). */
  async partitionCount(topic: string): Promise<number> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      return metadata.topics[0]?.partitions.length ?? 0;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
