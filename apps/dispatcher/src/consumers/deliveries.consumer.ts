import { EventPattern, Payload } from '@nestjs/microservices';
import { deliveryMessageV1Schema, TOPICS } from '@flotilla/contracts';
import { DispatchService } from '@flotilla/delivery';
import { BatchConsumer, consumeBatch, type ConsumedMessage } from '@flotilla/messaging';

/** Deliver stage: parse → send due deliveries → record attempts and statuses. */
@BatchConsumer()
export class DeliveriesConsumer {
  constructor(private readonly dispatcher: DispatchService) {}

  @EventPattern(TOPICS.deliveries.name)
  onDeliveries(@Payload() messages: ConsumedMessage[]) {
    return consumeBatch(
      messages,
      deliveryMessageV1Schema,
      (deliveries) => this.dispatcher.dispatch(deliveries),
      'dispatching the batch failed',
    );
  }
}
