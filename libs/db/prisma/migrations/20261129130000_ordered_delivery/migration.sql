-- Ordered delivery (endpoint `ordered`): each delivery gets an order key, assigned at insert. The
-- route stage inserts a partition's events in offset order, so for one endpoint the key follows the
-- order in which its events were accepted. Existing rows are numbered in physical order.

-- AlterTable
ALTER TABLE "event_deliveries" ADD COLUMN "seq" BIGSERIAL NOT NULL;

-- CreateIndex (partial: only unfinished deliveries form a queue; Prisma's schema cannot say so)
CREATE INDEX "event_deliveries_endpoint_id_seq_idx" ON "event_deliveries"("endpoint_id", "seq")
  WHERE "status" IN ('Scheduled', 'Processing', 'Retry');
