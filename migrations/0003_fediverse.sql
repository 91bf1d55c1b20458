-- ActivityPub (src/fediverse/). Never edit a migration once merged: add a new numbered file.

-- The signing key of every actor, generated once on first use when no AP_PRIVATE_KEY secret is set.
-- id is always 'main': INSERT OR IGNORE makes two isolates racing on first use keep one key.
CREATE TABLE ap_keys (
  id TEXT PRIMARY KEY,
  private_pem TEXT NOT NULL,
  public_pem TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- Who follows which local actor (the site, or a section), with where to deliver.
CREATE TABLE ap_followers (
  actor TEXT NOT NULL,               -- local actor identifier: 'news', or a section key
  follower TEXT NOT NULL,            -- the remote actor's id
  inbox TEXT NOT NULL,
  shared_inbox TEXT,                 -- endpoints.sharedInbox, when the remote server has one
  follow_id TEXT NOT NULL,           -- the Follow activity's id, echoed in Accept and matched by Undo
  followed_at INTEGER NOT NULL,
  PRIMARY KEY (actor, follower)
);
CREATE INDEX ap_followers_by_follower ON ap_followers (follower);

-- What followers were last told of each story: its `updated` instant when the Create or Update went out.
-- The first publish run records every story already out as 'baseline' (nothing sent for the back catalogue).
CREATE TABLE ap_stories (
  story_id TEXT PRIMARY KEY,
  slug TEXT NOT NULL,
  updated_ms INTEGER NOT NULL,
  sent TEXT NOT NULL CHECK (sent IN ('baseline', 'Create', 'Update')),
  sent_at INTEGER NOT NULL
);

-- Every activity sent, by id: the body a delivery job POSTs (signed at send time).
CREATE TABLE ap_activities (
  id TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  type TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

-- One row per (activity, inbox) once settled: delivered, gone (410), or dead after the retries.
-- A redelivered queue message for a settled pair is acknowledged without a second POST.
CREATE TABLE ap_deliveries (
  activity_id TEXT NOT NULL,
  inbox TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'gone', 'dead')),
  attempts INTEGER NOT NULL,
  detail TEXT NOT NULL,
  settled_at INTEGER NOT NULL,
  PRIMARY KEY (activity_id, inbox)
);
