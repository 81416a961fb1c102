-- Meta events as a log (Convoy's /meta-events): each one sent to a project's meta URL, with the
-- outcome of its last attempt, so operators can list, inspect and resend them. A new table: no
-- lock on anything in use.

-- CreateTable
CREATE TABLE "meta_events" (
    "id" UUID NOT NULL,
    "project_id" UUID NOT NULL,
    "event_type" TEXT NOT NULL,
    "payload" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "num_trials" INTEGER NOT NULL DEFAULT 1,
    "request_headers" JSONB NOT NULL DEFAULT '{}',
    "response_status" INTEGER,
    "response_headers" JSONB,
    "response_data" TEXT NOT NULL DEFAULT '',
    "error" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "meta_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "meta_events_project_id_id_idx" ON "meta_events"("project_id", "id" DESC);

-- AddForeignKey
ALTER TABLE "meta_events" ADD CONSTRAINT "meta_events_project_id_fkey" FOREIGN KEY ("project_id") REFERENCES "projects"("id") ON DELETE CASCADE ON UPDATE CASCADE;
