import { Module, type DynamicModule } from '@nestjs/common';
import type { AmqpIngesterEnv } from '@flotilla/contracts';
import { EgressPolicy } from '@flotilla/egress';
import { BrokerIngesterModule, createAmqpAdapter } from '@flotilla/ingestion';
import type { Logger } from '@flotilla/observability';

/** The ingester of RabbitMQ (AMQP 0-9-1) sources. */
@Module({})
export class AmqpIngesterModule {
  static forRoot(config: AmqpIngesterEnv, logger: Logger): DynamicModule {
    return {
      module: AmqpIngesterModule,
      imports: [
        BrokerIngesterModule.forRoot('amqp', config, logger, (adapterLogger) =>
          createAmqpAdapter({
            prefetchPerWorker: config.AMQP_PREFETCH_PER_WORKER,
            heartbeatSeconds: config.AMQP_HEARTBEAT_SECONDS,
            egress: new EgressPolicy(config.FLOTILLA_EGRESS_ALLOW),
            logger: adapterLogger,
          }),
        ),
      ],
    };
  }
}
