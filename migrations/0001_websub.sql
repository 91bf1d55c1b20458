-- WebSub hub state. Never edit a migration once merged: add a new numbered file.

-- A verified subscription: one per (topic, callback), so a re-subscription renews it
-- (websub.rocks test 103) instead of adding a second one.
CREATE TABLE subscriptions (
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  secret TEXT,                       -- hub.secret, for X-Hub-Signature; NULL when none was given
  lease_seconds INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,       -- ms since the epoch
  verified_at INTEGER NOT NULL,
  PRIMARY KEY (topic, callback)
);
CREATE INDEX subscriptions_by_expiry ON subscriptions (expires_at);

-- The last content fingerprint (the feed's strong ETag) distributed for each topic.
CREATE TABLE topic_state (
  topic TEXT PRIMARY KEY,
  fingerprint TEXT NOT NULL,
  changed_at INTEGER NOT NULL
);

-- One row per (change, subscriber) once it is settled: delivered, or dead after its retries.
-- A redelivered queue message for a delivered change is acknowledged without a second POST.
CREATE TABLE deliveries (
  topic TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  callback TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'dead')),
  attempts INTEGER NOT NULL,
  detail TEXT NOT NULL,
  settled_at INTEGER NOT NULL,
  PRIMARY KEY (topic, fingerprint, callback)
);

-- Subscribe/unsubscribe requests per callback in the current hour.
CREATE TABLE hub_requests (
  callback TEXT PRIMARY KEY,
  window_start INTEGER NOT NULL,
  count INTEGER NOT NULL
);
