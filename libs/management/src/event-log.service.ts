import { Injectable } from '@nestjs/common';
import { UUID_PATTERN, type DeliveryListQuery, type EventListQuery, type PageQuery } from '@flotilla/contracts';
import {
  AttemptRepository,
  DeliveryRepository,
  EventRepository,
  type Cursor,
  type DeliveryAttempt,
  type Event,
  type EventDelivery,
  type PageResult,
} from '@flotilla/db';
import { ManagementError } from './management-error';

export function toCursor(query: PageQuery): Cursor {
  const raw = query.direction === 'prev' ? query.prev_page_cursor : query.next_page_cursor;
  if (raw !== undefined && raw !== '' && !UUID_PATTERN.test(raw)) {
    throw new ManagementError('validation', 'cursor: not a valid page cursor', query.direction === 'prev' ? 'prev_page_cursor' : 'next_page_cursor');
  }
  return { perPage: query.perPage, direction: query.direction, cursor: raw === '' ? undefined : raw };
}

const date = (value: string | undefined): Date | undefined => (value ? new Date(value) : undefined);
const uuids = (values: string[] | undefined, field: string): string[] | undefined => {
  for (const value of values ?? []) {
    if (!UUID_PATTERN.test(value)) throw new ManagementError('validation', `${field}: ${value} is not a valid id`, field);
  }
  return values;
};

/** Reads of the event log: events, their deliveries and every attempt, scoped to one project. */
@Injectable()
export class EventLogService {
  constructor(
    private readonly events: EventRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly attempts: AttemptRepository,
  ) {}

  listEvents(projectId: string, query: EventListQuery): Promise<PageResult<Event>> {
    return this.events.page(
      projectId,
      {
        eventType: query.eventType,
        endpointIds: uuids(query.endpointId, 'endpointId'),
        sourceId: uuids(query.sourceId ? [query.sourceId] : undefined, 'sourceId')?.[0],
        idempotencyKey: query.idempotencyKey,
        brokerMessageId: query.brokerMessageId,
        startDate: date(query.startDate),
        endDate: date(query.endDate),
      },
      toCursor(query),
    );
  }

  async getEvent(projectId: string, id: string): Promise<Event> {
    const event = UUID_PATTERN.test(id) ? await this.events.findById(projectId, id) : null;
    if (!event) throw new ManagementError('not_found', `event ${id} not found`);
    return event;
  }

  listDeliveries(projectId: string, query: DeliveryListQuery): Promise<PageResult<EventDelivery>> {
    return this.deliveries.page(
      projectId,
      {
        eventId: uuids(query.eventId ? [query.eventId] : undefined, 'eventId')?.[0],
        endpointIds: uuids(query.endpointId, 'endpointId'),
        subscriptionId: uuids(query.subscriptionId ? [query.subscriptionId] : undefined, 'subscriptionId')?.[0],
        statuses: query.status,
        startDate: date(query.startDate),
        endDate: date(query.endDate),
      },
      toCursor(query),
    );
  }

  async getDelivery(projectId: string, id: string): Promise<EventDelivery> {
    const delivery = UUID_PATTERN.test(id) ? await this.deliveries.findById(projectId, id) : null;
    if (!delivery) throw new ManagementError('not_found', `event delivery ${id} not found`);
    return delivery;
  }

  async listAttempts(projectId: string, deliveryId: string): Promise<DeliveryAttempt[]> {
    await this.getDelivery(projectId, deliveryId);
    return this.attempts.listByDelivery(projectId, deliveryId);
  }

  async getAttempt(projectId: string, deliveryId: string, id: string): Promise<DeliveryAttempt> {
    const attempt = UUID_PATTERN.test(id) && UUID_PATTERN.test(deliveryId) ? await this.attempts.findById(projectId, deliveryId, id) : null;
    if (!attempt) throw new ManagementError('not_found', `delivery attempt ${id} not found`);
    return attempt;
  }
}
