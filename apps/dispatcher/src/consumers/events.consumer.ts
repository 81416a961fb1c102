import { Controller, UseFilters } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { eventMessageV1Schema, TOPICS } from '@flotilla/contracts';
import { RouteService } from '@flotilla/delivery';
import {
  parseBatch,
  PassThroughRpcFilter,
  RetryableBatchError,
  type BatchOutcome,
  type ConsumedMessage,
} from '@flotilla/messaging';

/** Route stage: parse → persist events and their deliveries → hand deliveries on. */
@Controller()
@UseFilters(PassThroughRpcFilter)
export class EventsConsumer {
  constructor(private readonly router: RouteService) {}

  @EventPattern(TOPICS.events.name)
  async onEvents(@Payload() messages: ConsumedMessage[]): Promise<BatchOutcome> {
    const { valid, deadLetters } = parseBatch(messages, eventMessageV1Schema);
    try {
      await this.router.route(valid);
    } catch (error) {
      throw new RetryableBatchError('routing the batch failed', { cause: error });
    }
    return { deadLetters };
  }
}
