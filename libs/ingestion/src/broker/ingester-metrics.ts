import type { BrokerKind, IngestFailureReason } from '@flotilla/contracts';
import type { MetricsRegistry } from '@flotilla/observability';

/** The metrics of one source in one ingester replica (labels: broker, source id). */
export interface SourceMetrics {
  received(count: number): void;
  ingested(count: number): void;
  invalid(reason: IngestFailureReason): void;
  acked(count: number, seconds: readonly number[]): void;
  deadLettered(count: number): void;
  inFlight(delta: number): void;
  failed(): void;
}

/**
 * Per-source ingestion metrics: received, ingested (acknowledged by Kafka), invalid (by reason),
 * acked (removed from the broker) with the receive-to-ack latency, dead-lettered, and in flight.
 */
export class IngesterMetrics {
  private readonly receivedTotal;
  private readonly ingestedTotal;
  private readonly invalidTotal;
  private readonly ackedTotal;
  private readonly ackLatency;
  private readonly deadLetteredTotal;
  private readonly inFlightGauge;
  private readonly sourceErrors;
  private readonly runningGauge;
  private readonly kafkaPausedGauge;

  constructor(
    metrics: MetricsRegistry,
    readonly broker: BrokerKind,
  ) {
    const perSource = ['broker', 'source'] as const;
    const counter = (name: string, help: string) => metrics.counter(name, help, perSource);
    this.receivedTotal = counter(
      'flotilla_ingester_messages_received_total',
      'Broker messages received',
    );
    this.ingestedTotal = counter(
      'flotilla_ingester_messages_ingested_total',
      'Broker messages that became events acknowledged by Kafka',
    );
    this.invalidTotal = metrics.counter(
      'flotilla_ingester_messages_invalid_total',
      'Broker messages refused as invalid, by reason',
      [...perSource, 'reason'],
    );
    this.ackedTotal = counter(
      'flotilla_ingester_messages_acked_total',
      'Broker messages removed from the live stream (acked or deleted)',
    );
    this.ackLatency = metrics.histogram(
      'flotilla_ingester_ack_latency_seconds',
      'From receiving a broker message to acking (deleting) it',
      perSource,
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    );
    this.deadLetteredTotal = counter(
      'flotilla_ingester_messages_dead_lettered_total',
      "Invalid messages moved to the source's dead-letter target",
    );
    this.inFlightGauge = metrics.gauge(
      'flotilla_ingester_messages_in_flight',
      'Broker messages received and not yet acked, refused or released',
      perSource,
    );
    this.sourceErrors = counter(
      'flotilla_ingester_source_errors_total',
      'Sources that could not start or stopped on an error (restarted at the next refresh)',
    );
    this.runningGauge = metrics.gauge(
      'flotilla_ingester_sources_running',
      'Sources this replica is pulling',
      ['broker'],
    );
    this.kafkaPausedGauge = metrics.gauge(
      'flotilla_ingester_kafka_paused',
      '1 while Kafka is unavailable and messages are held un-acked',
      ['broker'],
    );
    this.kafkaPausedGauge.set({ broker }, 0);
  }

  forSource(sourceId: string): SourceMetrics {
    const labels = { broker: this.broker, source: sourceId };
    // Zero counts add nothing (and do not create a series).
    const add =
      (counter: typeof this.ingestedTotal) =>
      (count: number): void => {
        if (count > 0) counter.inc(labels, count);
      };
    return {
      received: (count) => {
        this.receivedTotal.inc(labels, count);
      },
      ingested: add(this.ingestedTotal),
      invalid: (reason) => {
        this.invalidTotal.inc({ ...labels, reason });
      },
      acked: (count, seconds) => {
        add(this.ackedTotal)(count);
        for (const value of seconds) this.ackLatency.observe(labels, value);
      },
      deadLettered: add(this.deadLetteredTotal),
      inFlight: (delta) => {
        this.inFlightGauge.inc(labels, delta);
      },
      failed: () => {
        this.sourceErrors.inc(labels);
      },
    };
  }

  running(count: number): void {
    this.runningGauge.set({ broker: this.broker }, count);
  }

  kafkaPaused(paused: boolean): void {
    this.kafkaPausedGauge.set({ broker: this.broker }, paused ? 1 : 0);
  }
}
