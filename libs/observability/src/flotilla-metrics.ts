import type { Counter, Gauge, Histogram } from 'prom-client';
import type { GaugeCollector, MetricsRegistry } from './metrics';

/**
 * The names and labels of Flotilla's operational metrics, in one place: the chart's PrometheusRule
 * and Grafana dashboard query them by these names (a unit test checks they agree). Every label has
 * a bounded set of values: no ids, no raw paths, no URLs.
 */

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

export function httpRequestMetrics(metrics: MetricsRegistry): {
  requests: Counter<'method' | 'route' | 'status_class'>;
  duration: Histogram<'method' | 'route' | 'status_class'>;
} {
  const labels = ['method', 'route', 'status_class'] as const;
  return {
    requests: metrics.counter(
      'flotilla_http_requests_total',
      'HTTP requests served, by route template, method and status class (2xx, 4xx, ...)',
      labels,
    ),
    duration: metrics.histogram(
      'flotilla_http_request_duration_seconds',
      'Time to answer an HTTP request, by route template, method and status class',
      labels,
    ),
  };
}

export function consumerLagGauge(
  metrics: MetricsRegistry,
  collect: GaugeCollector<'group' | 'topic' | 'partition'>,
): Gauge<'group' | 'topic' | 'partition'> {
  return metrics.gauge(
    'flotilla_kafka_consumer_lag_messages',
    'Messages not yet committed by the consumer group, per partition this replica owns',
    ['group', 'topic', 'partition'],
    collect,
  );
}

export function deadLettersCounter(metrics: MetricsRegistry): Counter<'topic'> {
  return metrics.counter(
    'flotilla_kafka_dead_letters_total',
    'Messages parked on a dead-letter topic, by the topic they came from',
    ['topic'],
  );
}

export interface BacklogSample {
  due: number;
  oldestAgeSeconds: number;
}

/** `sample` is called once per gauge per scrape; it may share one read between them. */
export function schedulerBacklogGauges(
  metrics: MetricsRegistry,
  sample: () => Promise<BacklogSample | undefined>,
): { due: Gauge; oldestAge: Gauge } {
  return {
    due: metrics.gauge(
      'flotilla_scheduler_due_deliveries',
      'Deliveries due now (Scheduled or Retry, next attempt in the past) and not yet enqueued; counted up to 100,000',
      [],
      async (gauge) => {
        const read = await sample();
        if (read) gauge.set(read.due);
      },
    ),
    oldestAge: metrics.gauge(
      'flotilla_scheduler_oldest_due_age_seconds',
      'How long the oldest due delivery has been waiting for the scheduler (0 when none is due)',
      [],
      async (gauge) => {
        const read = await sample();
        if (read) gauge.set(read.oldestAgeSeconds);
      },
    ),
  };
}

export const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export function endpointBreakersGauge(
  metrics: MetricsRegistry,
  states: () => Record<BreakerState, number>,
): Gauge<'state'> {
  return metrics.gauge(
    'flotilla_endpoint_breakers',
    "Endpoints' circuit breakers in this dispatcher replica, by state",
    ['state'],
    (gauge) => {
      const counts = states();
      for (const state of BREAKER_STATES) gauge.set({ state }, counts[state]);
    },
  );
}

export function metaEventDropsCounter(metrics: MetricsRegistry): Counter {
  return metrics.counter(
    'flotilla_meta_events_dropped_total',
    'Meta events dropped because their bounded queue was full',
  );
}

export function endToEndLatencyHistogram(metrics: MetricsRegistry): Histogram {
  return metrics.histogram(
    'flotilla_delivery_end_to_end_seconds',
    'From the event being accepted to its delivery succeeding (first successful attempt)',
    [],
    [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
  );
}

/** Milliseconds since the epoch carried by a UUIDv7 (events and their deliveries share it). */
export function uuidv7Millis(id: string): number {
  return Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
}
