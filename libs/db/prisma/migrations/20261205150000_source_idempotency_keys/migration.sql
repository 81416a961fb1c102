-- Incoming-webhook replay protection: where an http source's requests carry the sender's delivery
-- id (Convoy's `idempotency_keys`, e.g. `request.header.X-GitHub-Delivery`).

-- AlterTable
ALTER TABLE "sources" ADD COLUMN "idempotency_keys" TEXT[] DEFAULT ARRAY[]::TEXT[];
