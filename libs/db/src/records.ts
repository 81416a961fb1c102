import type { Prisma } from './generated/prisma/client';
export type {
  ApiKey,
  DeliveryAttempt,
  Endpoint,
  Event,
  EventDelivery,
  EventType,
  PortalLink,
  Project,
  Source,
  Subscription,
} from './generated/prisma/client';
export { DeliveryStatus, EndpointStatus, EventTargetKind } from './generated/prisma/enums';
export type JsonValue = Prisma.JsonValue;

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
