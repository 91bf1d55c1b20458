-- The body last delivered to a subscription (src/websub/store.ts lastDelivered): its deliveries by
-- time. Never edit a migration once merged: add a new numbered file.
CREATE INDEX deliveries_by_subscription ON deliveries (topic, callback, settled_at);
