import { Module, type DynamicModule } from '@nestjs/common';
import type { SqsIngesterEnv } from '@flotilla/contracts';
import { EgressPolicy } from '@flotilla/egress';
import { BrokerIngesterModule, createSqsAdapter } from '@flotilla/ingestion';
import type { Logger } from '@flotilla/observability';

/** The ingester of Amazon SQS sources. */
@Module({})
export class SqsIngesterModule {
  static forRoot(config: SqsIngesterEnv, logger: Logger): DynamicModule {
    return {
      module: SqsIngesterModule,
      imports: [
        BrokerIngesterModule.forRoot('sqs', config, logger, (adapterLogger) =>
          createSqsAdapter({
            defaultEndpoint: config.AWS_ENDPOINT_URL_SQS,
            visibilityTimeoutSeconds: config.SQS_VISIBILITY_TIMEOUT_SECONDS,
            waitTimeSeconds: config.SQS_WAIT_TIME_SECONDS,
            egress: new EgressPolicy(config.FLOTILLA_EGRESS_ALLOW),
            logger: adapterLogger,
          }),
        ),
      ],
    };
  }
}
