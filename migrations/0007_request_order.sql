-- WebSub §5.1: a later request for a (topic, callback) overrides the state an earlier one set,
-- once verified. `requested_at` is when the request that set the row reached POST /hub (ms), so
-- an earlier request verified late (a retry after the subscriber's 5xx) cannot overwrite it. An
-- unsubscribe leaves its row as a tombstone (lease_seconds 0, expires_at its moment) for as long
-- as an earlier request's retry could still arrive. Never edit a migration once merged.
ALTER TABLE subscriptions ADD COLUMN requested_at INTEGER NOT NULL DEFAULT 0;
