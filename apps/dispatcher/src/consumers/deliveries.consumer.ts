import { EventPattern, Payload } from '@nestjs/microservices';
import { deliveryMessageV1Schema, TOPICS } from '@flotilla/contracts';
import { DispatchService } from '@flotilla/delivery';
import {
  BatchConsumer,
  consumeBatch,
  startStageSpans,
  type ConsumedMessage,
} from '@flotilla/messaging';

/** Deliver stage: parse → send due deliveries → record attempts and statuses. */
@BatchConsumer()
export class DeliveriesConsumer {
  constructor(private readonly dispatcher: DispatchService) {}

  @EventPattern(TOPICS.deliveries.name)
  async onDeliveries(@Payload() messages: ConsumedMessage[]) {
    const endSpans = startStageSpans('deliver.consume', messages, 'delivery_id');
    try {
      return await consumeBatch(
        messages,
        deliveryMessageV1Schema,
        (deliveries) => this.dispatcher.dispatch(deliveries),
        'dispatching the batch failed',
      );
    } finally {
      endSpans();
    }
  }
}
