import { z } from 'zod';

/**
 * A delivery to attempt, on `flotilla.deliveries.v1`, keyed by endpoint id. It carries ids only: the
 * deliver stage reads the current state (a delivery may have succeeded meanwhile) in one batched query.
 */
export const deliveryMessageV1Schema = z.object({
  v: z.literal(1),
  delivery_id: z.uuid(),
  event_id: z.uuid(),
  endpoint_id: z.string().min(1),
  project_id: z.string().min(1),
  /** Who asked: the route stage for a new delivery, the scheduler for a retry or a lost message. */
  origin: z.enum(['route', 'scheduler', 'manual']),
});
export type DeliveryMessageV1 = z.infer<typeof deliveryMessageV1Schema>;
