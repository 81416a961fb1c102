-- CreateEnum
CREATE TYPE "ProjectType" AS ENUM ('outgoing', 'incoming');

-- CreateEnum
CREATE TYPE "EndpointStatus" AS ENUM ('active', 'inactive', 'paused');

-- CreateEnum
CREATE TYPE "SourceType" AS ENUM ('http', 'pub_sub');

-- CreateEnum
CREATE TYPE "SourceStatus" AS ENUM ('active', 'paused');

-- CreateEnum
CREATE TYPE "SubscriptionStatus" AS ENUM ('active', 'inactive');

-- CreateEnum
CREATE TYPE "DeliveryMode" AS ENUM ('at_least_once', 'at_most_once');

-- CreateEnum
CREATE TYPE "DeliveryStatus" AS ENUM ('Scheduled', 'Processing', 'Success', 'Retry', 'Failure', 'Discarded');

-- CreateEnum
CREATE TYPE "EventTargetKind" AS ENUM ('single', 'fanout', 'broadcast', 'dynamic');

-- CreateTable
CREATE TABLE "projects" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "ProjectType" NOT NULL DEFAULT 'outgoing',
    "config" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "projects_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "key_hash" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "endpoints" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "owner_id" TEXT,
    "status" "EndpointStatus" NOT NULL DEFAULT 'active',
    "secrets" JSONB NOT NULL,
    "advanced_signatures" BOOLEAN NOT NULL DEFAULT true,
    "support_email" TEXT,
    "http_timeout_seconds" INTEGER NOT NULL DEFAULT 10,
    "rate_limit" INTEGER NOT NULL DEFAULT 0,
    "rate_limit_duration_seconds" INTEGER NOT NULL DEFAULT 1,
    "content_type" TEXT NOT NULL DEFAULT 'application/json',
    "custom_headers" JSONB NOT NULL DEFAULT '{}',
    "authentication" JSONB,
    "ordered" BOOLEAN NOT NULL DEFAULT false,
    "consecutive_trips" INTEGER NOT NULL DEFAULT 0,
    "disabled_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "endpoints_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sources" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "type" "SourceType" NOT NULL,
    "mask_id" TEXT NOT NULL,
    "provider" TEXT,
    "verifier" JSONB,
    "pub_sub" JSONB,
    "credentials" BYTEA,
    "status" "SourceStatus" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "subscriptions" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "source_id" UUID,
    "event_types" TEXT[] DEFAULT ARRAY['*']::TEXT[],
    "filter_headers" JSONB NOT NULL DEFAULT '{}',
    "filter_body" JSONB NOT NULL DEFAULT '{}',
    "delivery_mode" "DeliveryMode" NOT NULL DEFAULT 'at_least_once',
    "status" "SubscriptionStatus" NOT NULL DEFAULT 'active',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "events" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "raw_data" TEXT NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "target_kind" "EventTargetKind" NOT NULL,
    "endpoint_id" UUID,
    "owner_id" TEXT,
    "idempotency_key" TEXT,
    "is_duplicate" BOOLEAN NOT NULL DEFAULT false,
    "source_id" UUID,
    "broker_message_id" TEXT,
    "accepted_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "event_deliveries" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "event_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "subscription_id" UUID,
    "event_type" TEXT NOT NULL,
    "status" "DeliveryStatus" NOT NULL DEFAULT 'Scheduled',
    "attempt_count" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL,
    "latency_ms" INTEGER,
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "delivery_attempts" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "endpoint_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "method" TEXT NOT NULL DEFAULT 'POST',
    "request_headers" JSONB NOT NULL,
    "response_status" INTEGER,
    "response_headers" JSONB,
    "response_body" TEXT,
    "latency_ms" INTEGER NOT NULL,
    "error" TEXT,
    "error_kind" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_prefix_key" ON "api_keys"("prefix");

-- CreateIndex
CREATE INDEX "api_keys_project_id_idx" ON "api_keys"("project_id");

-- CreateIndex
CREATE INDEX "endpoints_project_id_id_idx" ON "endpoints"("project_id", "id" DESC);

-- CreateIndex
CREATE INDEX "endpoints_project_id_owner_id_idx" ON "endpoints"("project_id", "owner_id");

-- CreateIndex
CREATE UNIQUE INDEX "sources_mask_id_key" ON "sources"("mask_id");

-- CreateIndex
CREATE INDEX "sources_project_id_id_idx" ON "sources"("project_id", "id" DESC);

-- CreateIndex
CREATE INDEX "sources_type_status_idx" ON "sources"("type", "status");

-- CreateIndex
CREATE INDEX "subscriptions_project_id_id_idx" ON "subscriptions"("project_id", "id" DESC);

-- CreateIndex
CREATE INDEX "subscriptions_endpoint_id_idx" ON "subscriptions"("endpoint_id");

-- CreateIndex
CREATE INDEX "events_project_id_id_idx" ON "events"("project_id", "id" DESC);

-- CreateIndex
CREATE INDEX "events_project_id_event_type_id_idx" ON "events"("project_id", "event_type", "id" DESC);

-- CreateIndex
CREATE INDEX "events_project_id_endpoint_id_id_idx" ON "events"("project_id", "endpoint_id", "id" DESC);

-- CreateIndex
CREATE INDEX "events_project_id_source_id_id_idx" ON "events"("project_id", "source_id", "id" DESC);

-- CreateIndex
CREATE INDEX "events_project_id_idempotency_key_idx" ON "events"("project_id", "idempotency_key");

-- CreateIndex
CREATE INDEX "events_project_id_broker_message_id_idx" ON "events"("project_id", "broker_message_id");

-- CreateIndex
CREATE INDEX "event_deliveries_project_id_id_idx" ON "event_deliveries"("project_id", "id" DESC);

-- CreateIndex
CREATE INDEX "event_deliveries_project_id_event_id_idx" ON "event_deliveries"("project_id", "event_id");

-- CreateIndex
CREATE INDEX "event_deliveries_project_id_endpoint_id_id_idx" ON "event_deliveries"("project_id", "endpoint_id", "id" DESC);

-- CreateIndex
CREATE INDEX "event_deliveries_project_id_status_id_idx" ON "event_deliveries"("project_id", "status", "id" DESC);

-- CreateIndex
CREATE INDEX "event_deliveries_status_next_attempt_at_idx" ON "event_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "delivery_attempts_delivery_id_id_idx" ON "delivery_attempts"("delivery_id", "id");

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "endpoints" ADD CONSTRAINT "endpoints_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "sources" ADD CONSTRAINT "sources_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "events" ADD CONSTRAINT "events_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_event_id_fkey" FOREIGN KEY ("event_id") REFERENCES "events"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_endpoint_id_fkey" FOREIGN KEY ("endpoint_id") REFERENCES "endpoints"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "event_deliveries" ADD CONSTRAINT "event_deliveries_subscription_id_fkey" FOREIGN KEY ("subscription_id") REFERENCES "subscriptions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempts" ADD CONSTRAINT "delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "event_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;
