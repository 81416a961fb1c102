import { EventPattern, Payload } from '@nestjs/microservices';
import { eventMessageV1Schema, TOPICS } from '@flotilla/contracts';
import { RouteService } from '@flotilla/delivery';
import {
  BatchConsumer,
  consumeBatch,
  startStageSpans,
  type ConsumedMessage,
} from '@flotilla/messaging';

/** Route stage: parse → persist events and their deliveries → hand deliveries on. */
@BatchConsumer()
export class EventsConsumer {
  constructor(private readonly router: RouteService) {}

  @EventPattern(TOPICS.events.name)
  async onEvents(@Payload() messages: ConsumedMessage[]) {
    const endSpans = startStageSpans('route', messages, 'event_id');
    try {
      return await consumeBatch(
        messages,
        eventMessageV1Schema,
        (events) => this.router.route(events),
        'routing the batch failed',
      );
    } finally {
      endSpans();
    }
  }
}
