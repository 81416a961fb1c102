-- The event log's delivery filters by event type and by subscription page through an index range,
-- like its other filters; dynamic events find their endpoint by URL.

-- CreateIndex
CREATE INDEX "event_deliveries_project_id_event_type_id_idx" ON "event_deliveries"("project_id", "event_type", "id" DESC);

-- CreateIndex
CREATE INDEX "event_deliveries_project_id_subscription_id_id_idx" ON "event_deliveries"("project_id", "subscription_id", "id" DESC);

-- CreateIndex
CREATE INDEX "endpoints_project_id_url_idx" ON "endpoints"("project_id", "url");
