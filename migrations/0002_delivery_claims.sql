-- Exactly-once delivery (src/websub/deliver.ts). Never edit a migration once merged: add a new file.

-- At most one delivery in flight per subscription: a job claims the (topic, callback) pair before it
-- POSTs, and releases it after recording what it sent. A claim older than its expiry (the job's
-- isolate died mid-send) may be taken over.
CREATE TABLE delivery_claims (
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  token TEXT NOT NULL,
  expires_at INTEGER NOT NULL,       -- ms since the epoch
  PRIMARY KEY (topic, callback)
);

-- How many times each delivery job has run, so a dead-letter record says the real count (a message
-- moved to the dead-letter queue starts again at attempt 1 there) and what the last attempt met.
CREATE TABLE delivery_attempts (
  topic TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  callback TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  detail TEXT NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (topic, fingerprint, callback)
);
