-- Withdrawn stories on the fediverse (src/fediverse/withdraw.ts). Never edit a migration once merged: add a new numbered file.

-- One row per withdrawn story once handled: its Delete queued to followers ('Delete'), withdrawn
-- before followers were ever sent it ('unsent'), or already withdrawn when the first publish run
-- recorded the back catalogue ('baseline'). A handled story is never sent a second Delete.
CREATE TABLE ap_withdrawals (
  story_id TEXT PRIMARY KEY,
  slug TEXT NOT NULL,
  withdrawn_ms INTEGER NOT NULL,
  sent TEXT NOT NULL CHECK (sent IN ('baseline', 'Delete', 'unsent')),
  sent_at INTEGER NOT NULL
);
