/**
 * Internal Kafka topics, declared once. Partition counts are what the local broker pre-creates and
 * what production topics should be created with; the version suffix changes only with a breaking
 * payload change (a new topic is then run side by side until the old one drains).
 */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** What the message key is, and why: the key decides ordering and which consumer owns what. */
  readonly key: string;
}

export const TOPICS = {
  /** Accepted events, from ingest-api and the broker ingesters, consumed by the dispatcher's route stage. */
  events: {
    name: 'flotilla.events.v1',
    partitions: 12,
    key: 'endpoint id (single), owner id (fan-out) or project id (broadcast): per-target order',
  },
  /** One message per delivery to attempt, from the route stage and the scheduler, to the deliver stage. */
  deliveries: {
    name: 'flotilla.deliveries.v1',
    partitions: 12,
    key: 'endpoint id: one consumer owns an endpoint, so its limits are local',
  },
  eventsDeadLetter: { name: 'flotilla.events.v1.dlq', partitions: 1, key: 'original key' },
  deliveriesDeadLetter: { name: 'flotilla.deliveries.v1.dlq', partitions: 1, key: 'original key' },
} as const satisfies Record<string, TopicSpec>;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS]['name'];

export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);

/** Where a consumer parks a message it cannot handle, with the reason in the headers. */
export const DEAD_LETTER_TOPIC: Partial<Record<string, string>> = {
  [TOPICS.events.name]: TOPICS.eventsDeadLetter.name,
  [TOPICS.deliveries.name]: TOPICS.deliveriesDeadLetter.name,
};

export const CONSUMER_GROUPS = {
  dispatcherRoute: 'flotilla-dispatcher-route',
  dispatcherDeliver: 'flotilla-dispatcher-deliver',
} as const;
