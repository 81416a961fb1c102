-- CreateTable
CREATE TABLE "ingest_failures" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "source_id" UUID NOT NULL,
    "broker_message_id" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "detail" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "payload_bytes" INTEGER NOT NULL,
    "attributes" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_failures_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ingest_failures_project_id_id_idx" ON "ingest_failures"("project_id", "id" DESC);

-- CreateIndex
CREATE INDEX "ingest_failures_project_id_source_id_id_idx" ON "ingest_failures"("project_id", "source_id", "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "ingest_failures_source_id_broker_message_id_key" ON "ingest_failures"("source_id", "broker_message_id");

-- AddForeignKey
ALTER TABLE "ingest_failures" ADD CONSTRAINT "ingest_failures_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ingest_failures" ADD CONSTRAINT "ingest_failures_source_id_fkey" FOREIGN KEY ("source_id") REFERENCES "sources"("id") ON DELETE CASCADE ON UPDATE CASCADE;
