import 'reflect-metadata';
import { loadConfigOrExit } from '@flotilla/config';
import { CONSUMER_GROUPS, dispatcherEnvSchema, TOPICS } from '@flotilla/contracts';
import { LocalHandOff } from '@flotilla/delivery';
import { KafkaTransportFactory, type KafkaBatchTransport } from '@flotilla/messaging';
import { LOGGER, MetricsRegistry, type Logger } from '@flotilla/observability';
import { runService } from '@flotilla/runtime';
import { DispatcherModule } from './dispatcher.module';

const config = loadConfigOrExit('dispatcher', dispatcherEnvSchema);

void runService({
  service: 'dispatcher',
  port: config.PORT,
  host: process.env['HOST'],
  shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
  requestTimeoutMs: config.HTTP_REQUEST_TIMEOUT_MS,
  headersTimeoutMs: config.HTTP_HEADERS_TIMEOUT_MS,
  module: (logger) => DispatcherModule.forRoot(config, logger),
  transports: (app) => {
    const transports = app.get(KafkaTransportFactory);
    const logger = app.get<Logger>(LOGGER);
    const metrics = app.get(MetricsRegistry);
    const handOff = app.get(LocalHandOff);
    const units = metrics.histogram(
      'flotilla_consumer_unit_seconds',
      'Time to finish a unit of work, by stage',
      ['stage'],
    );
    // Which partitions this replica owns shows when a consumer group has settled after a rebalance.
    const assigned = metrics.gauge(
      'flotilla_consumer_assigned_partitions',
      'Partitions owned by this replica, by stage',
      ['stage'],
    );
    const stage = (
      name: string,
      group: string,
      topic: string,
      batchSize: number,
      maxInFlight: number,
      exclusive: 'partition' | 'key',
      onAssigned?: (partitions: readonly number[]) => void,
    ): KafkaBatchTransport =>
      transports.create(
        {
          groupId: group,
          topic,
          batchSize,
          maxInFlight,
          exclusive,
          sessionTimeoutMs: config.KAFKA_SESSION_TIMEOUT_MS,
          maxWaitTimeInMs: config.KAFKA_FETCH_MAX_WAIT_MS,
          onUnitDone: (_count, seconds) => {
            units.observe({ stage: name }, seconds);
          },
          onAssigned: (count, partitions) => {
            assigned.set({ stage: name }, count);
            onAssigned?.(partitions);
          },
        },
        logger.child({ stage: name }),
      );
    return [
      // Route units never share a partition, so per-target order holds into the deliveries topic.
      stage(
        'route',
        CONSUMER_GROUPS.dispatcherRoute,
        TOPICS.events.name,
        config.CONSUMER_BATCH_SIZE,
        config.CONSUMER_MAX_IN_FLIGHT,
        'partition',
      ),
      stage(
        'deliver',
        CONSUMER_GROUPS.dispatcherDeliver,
        TOPICS.deliveries.name,
        config.DELIVER_BATCH_SIZE,
        config.DELIVER_MAX_IN_FLIGHT,
        // One unit owns an endpoint at a time: its limits and order are local, other endpoints go on.
        'key',
        // The route stage sends new deliveries of the endpoints owned here itself (local-hand-off.ts).
        (partitions) => void handOff.assign(partitions),
      ),
    ];
  },
});
