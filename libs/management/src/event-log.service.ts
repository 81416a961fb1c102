import { Injectable } from '@nestjs/common';
import {
  deliveryStatusSchema,
  UUID_PATTERN,
  type DeliveryListQuery,
  type DeliveryStatusTotalsQuery,
  type StatusTotals,
  type EventListQuery,
  type PageQuery,
} from '@flotilla/contracts';
import {
  AttemptRepository,
  DeliveryRepository,
  EndpointRepository,
  EventRepository,
  type Cursor,
  type DeliveryAttempt,
  type DeliveryFilters,
  type EventFilters,
  type Event,
  type EventDelivery,
  type PageResult,
} from '@flotilla/db';
import { ManagementError } from './management-error';
import type { DeliveryContext } from './presenters';

export function toCursor(query: PageQuery): Cursor {
  const raw = query.direction === 'prev' ? query.prev_page_cursor : query.next_page_cursor;
  if (raw !== undefined && raw !== '' && !UUID_PATTERN.test(raw)) {
    throw new ManagementError(
      'validation',
      'cursor: not a valid page cursor',
      query.direction === 'prev' ? 'prev_page_cursor' : 'next_page_cursor',
    );
  }
  return {
    perPage: query.perPage,
    direction: query.direction,
    cursor: raw === '' ? undefined : raw,
  };
}

const date = (value: string | undefined): Date | undefined => (value ? new Date(value) : undefined);

function dateRange(query: { startDate?: string | undefined; endDate?: string | undefined }): {
  startDate?: Date;
  endDate?: Date;
} {
  const startDate = date(query.startDate);
  const endDate = date(query.endDate);
  if (startDate && endDate && endDate < startDate) {
    throw new ManagementError('validation', 'endDate: must not be before startDate', 'endDate');
  }
  return { ...(startDate ? { startDate } : {}), ...(endDate ? { endDate } : {}) };
}

/** The event list's filters, as the query (already validated by its schema) gives them. */
export function eventFilters(query: Omit<EventListQuery, keyof PageQuery | 'sort'>): EventFilters {
  return {
    eventType: query.eventType,
    endpointIds: query.endpointId,
    ownerId: query.ownerId,
    sourceId: query.sourceId,
    idempotencyKey: query.idempotencyKey,
    brokerMessageId: query.brokerMessageId,
    ...dateRange(query),
  };
}

/** The delivery list's filters (also status totals, batch retry). */
export function deliveryFilters(query: DeliveryStatusTotalsQuery): DeliveryFilters {
  return {
    eventId: query.eventId,
    endpointIds: query.endpointId,
    subscriptionId: query.subscriptionId,
    eventType: query.eventType ?? query.event_type,
    idempotencyKey: query.idempotencyKey,
    brokerMessageId: query.brokerMessageId,
    statuses: query.status ? [...new Set(query.status)] : undefined,
    ...dateRange(query),
  };
}

/** Every status with its count, zeros included, so clients need not know the list. */

/** Reads of the event log: events, their deliveries and every attempt, scoped to one project. */
@Injectable()
export class EventLogService {
  constructor(
    private readonly events: EventRepository,
    private readonly deliveries: DeliveryRepository,
    private readonly attempts: AttemptRepository,
    private readonly endpoints: EndpointRepository,
  ) {}

  /** The events and endpoints a page of deliveries refers to: two queries for the whole page. */
  async deliveryContext(
    projectId: string,
    deliveries: readonly EventDelivery[],
  ): Promise<DeliveryContext> {
    const [events, endpoints] = await Promise.all([
      this.events.findManyByIds(
        projectId,
        deliveries.map((delivery) => delivery.eventId),
      ),
      this.endpoints.findManyByIds(
        projectId,
        deliveries.map((delivery) => delivery.endpointId),
      ),
    ]);
    return {
      events: new Map(events.map((event) => [event.id, event])),
      endpoints: new Map(endpoints.map((endpoint) => [endpoint.id, endpoint])),
    };
  }

  listEvents(projectId: string, query: EventListQuery): Promise<PageResult<Event>> {
    return this.events.page(projectId, eventFilters(query), {
      ...toCursor(query),
      sort: query.sort,
    });
  }

  async getEvent(projectId: string, id: string): Promise<Event> {
    const event = UUID_PATTERN.test(id) ? await this.events.findById(projectId, id) : null;
    if (!event) throw new ManagementError('not_found', `event ${id} not found`);
    return event;
  }

  listDeliveries(projectId: string, query: DeliveryListQuery): Promise<PageResult<EventDelivery>> {
    return this.deliveries.page(projectId, deliveryFilters(query), {
      ...toCursor(query),
      sort: query.sort,
    });
  }

  async statusTotals(projectId: string, query: DeliveryStatusTotalsQuery): Promise<StatusTotals> {
    const counts = await this.deliveries.statusTotals(projectId, deliveryFilters(query));
    const totals = {} as StatusTotals;
    for (const status of deliveryStatusSchema.options) totals[status] = counts.get(status) ?? 0;
    return totals;
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
    const attempt =
      UUID_PATTERN.test(id) && UUID_PATTERN.test(deliveryId)
        ? await this.attempts.findById(projectId, deliveryId, id)
        : null;
    if (!attempt) throw new ManagementError('not_found', `delivery attempt ${id} not found`);
    return attempt;
  }
}
