import type { components } from '@flotilla/api-client';

/** Shapes the API document types exactly. */
export type Endpoint = components['schemas']['EndpointResponse'];
export type Subscription = components['schemas']['SubscriptionResponse'];
export type EventRecord = components['schemas']['EventResponse'];
export type EventType = components['schemas']['EventTypeResponse'];
export type PortalLink = components['schemas']['PortalLinkResponse'];
export type Overview = components['schemas']['ProjectOverviewResponse'];
export type PortalEndpoint = components['schemas']['PortalEndpointResponse'];
export type PortalSelf = components['schemas']['PortalSelfResponse'];
export type Delivery = components['schemas']['PortalDeliveryResponse'];
export type Attempt = components['schemas']['PortalAttemptResponse'];

export interface Pagination {
  per_page: number;
  has_next_page: boolean;
  has_prev_page: boolean;
  next_page_cursor: string;
  prev_page_cursor: string;
}

export interface Page<T> {
  content: T[];
  pagination: Pagination;
}

export interface Project {
  uid: string;
  name: string;
  created_at: string;
}

export interface Source {
  uid: string;
  name: string;
  type: string;
  mask_id?: string;
  url?: string;
  provider?: string;
  is_disabled?: boolean;
  pub_sub?: { type?: string } | null;
  created_at: string;
}

export interface IngestFailure {
  uid: string;
  reason: string;
  detail: string;
  payload: string;
  created_at: string;
}

export type StatusTotals = Record<string, number>;

export const DELIVERY_STATUSES = [
  'Scheduled',
  'Processing',
  'Success',
  'Retry',
  'Failure',
  'Discarded',
] as const;
