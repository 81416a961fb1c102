import { EventPattern, Payload } from '@nestjs/microservices';
import { eventMessageV1Schema, TOPICS } from '@flotilla/contracts';
import { RouteService } from '@flotilla/delivery';
import { BatchConsumer, consumeBatch, type ConsumedMessage } from '@flotilla/messaging';

/** Route stage: parse → persist events and their deliveries → hand deliveries on. */
@BatchConsumer()
export class EventsConsumer {
  constructor(private readonly router: RouteService) {}

  @EventPattern(TOPICS.events.name)
  onEvents(@Payload() messages: ConsumedMessage[]) {
    return consumeBatch(
      messages,
      eventMessageV1Schema,
      (events) => this.router.route(events),
      'routing the batch failed',
    );
  }
}
