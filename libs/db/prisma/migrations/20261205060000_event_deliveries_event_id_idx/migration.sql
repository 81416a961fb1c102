-- flotilla:no-transaction
-- Retention deletes old events; the cascade to their deliveries looks them up by event_id alone,
-- which the (project_id, event_id) index cannot serve (a scan of the whole table per event).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "event_deliveries_event_id_idx" ON "event_deliveries"("event_id");
