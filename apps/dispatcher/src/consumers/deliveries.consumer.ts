import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { deliveryMessageV1Schema, TOPICS } from '@flotilla/contracts';
import { DispatchService } from '@flotilla/delivery';
import {
  parseBatch,
  PassThroughRpcFilter,
  RetryableBatchError,
  type BatchOutcome,
  type ConsumedMessage,
} from '@flotilla/messaging';

/** Deliver stage: parse → send due deliveries → record attempts and statuses. */
@Controller()
@UseFilters(PassThroughRpcFilter)
export class DeliveriesConsumer {
  constructor(private readonly dispatcher: DispatchService) {}

  @EventPattern(TOPICS.deliveries.name)
  async onDeliveries(@Payload() messages: ConsumedMessage[]): Promise<BatchOutcome> {
    const { valid, deadLetters } = parseBatch(messages, deliveryMessageV1Schema);
    try {
      await this.dispatcher.dispatch(valid);
    } catch (error) {
      throw new RetryableBatchError('dispatching the batch failed', { cause: error });
    }
    return { deadLetters };
  }
}
