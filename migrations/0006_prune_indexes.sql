-- The hourly housekeeping's deletes (src/websub/store.ts pruneRecords, src/fediverse/store.ts
-- pruneApRecords) by age: without these each delete reads the whole table, and D1 counts every
-- row read (5 million a day on Free). Never edit a migration once merged: add a new numbered file.
CREATE INDEX deliveries_by_age ON deliveries (settled_at);
CREATE INDEX delivery_attempts_by_age ON delivery_attempts (updated_at);
CREATE INDEX hub_requests_by_window ON hub_requests (window_start);
CREATE INDEX ap_deliveries_by_age ON ap_deliveries (settled_at);
CREATE INDEX ap_activities_by_age ON ap_activities (created_at);
