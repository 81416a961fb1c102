import type { Event, Prisma } from './generated/prisma/client';
export type {
  ApiKey,
  DeliveryAttempt,
  Endpoint,
  Event,
  EventDelivery,
  EventType,
  MetaEvent,
  PortalLink,
  Project,
  Source,
  Subscription,
} from './generated/prisma/client';
export { DeliveryStatus, EndpointStatus, EventTargetKind } from './generated/prisma/enums';
export type JsonValue = Prisma.JsonValue;

/** An event as the event log reads it: with the endpoints its deliveries went to. */
export type LoggedEvent = Event & {
  /** Every endpoint the event was routed to (fan-out and broadcast recipients included). */
  routedTo?: string[];
};

/** A secret as kept in `endpoints.secrets`: the newest signs; older ones sign until they expire. */
export interface EndpointSecret {
  uid: string;
  value: string;
  created_at: string;
  expires_at: string | null;
}

export interface Cursor {
  perPage: number;
  direction: 'next' | 'prev';
  cursor?: string | undefined;
}

export interface PageResult<T> {
  rows: T[];
  hasNext: boolean;
  hasPrev: boolean;
}
