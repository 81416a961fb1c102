-- Portal links: a customer's view of its own endpoints (an owner's, or a list). Only a SHA-256 of
-- the token's secret is kept; the prefix finds the row.

-- CreateTable
CREATE TABLE "portal_links" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "owner_id" TEXT,
    "endpoint_ids" UUID[] DEFAULT ARRAY[]::UUID[],
    "can_manage_endpoint" BOOLEAN NOT NULL DEFAULT false,
    "token_prefix" TEXT NOT NULL,
    "token_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "portal_links_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "portal_links_token_prefix_key" ON "portal_links"("token_prefix");

-- CreateIndex
CREATE INDEX "portal_links_project_id_id_idx" ON "portal_links"("project_id", "id" DESC);

-- AddForeignKey
ALTER TABLE "portal_links" ADD CONSTRAINT "portal_links_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
