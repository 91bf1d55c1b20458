/**
 * @module
 * The fediverse tables (migrations/0003_fediverse.sql): followers, what each story's followers
 * were last sent, the activities, and settled deliveries.
 */

export interface Follower {
  actor: string
  follower: string
  inbox: string
  shared_inbox: string | null
  follow_id: string
  followed_at: number
}

export async function addFollower(env: Env, f: Follower): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO ap_followers (actor, follower, inbox, shared_inbox, follow_id, followed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (actor, follower) DO UPDATE SET inbox = ?3, shared_inbox = ?4, follow_id = ?5`,
  ).bind(f.actor, f.follower, f.inbox, f.shared_inbox, f.follow_id, f.followed_at).run()
}

/** Removes one follow (Undo): by actor and follower, and the Follow's id when the Undo names one. */
export async function removeFollower(env: Env, actor: string, follower: string): Promise<number> {
  const r = await env.DB.prepare('DELETE FROM ap_followers WHERE actor = ?1 AND follower = ?2').bind(actor, follower).run()
  return r.meta.changes
}

/** Removes the follow made by the Follow activity `followId` (an Undo that names it by id only). */
export async function removeFollow(env: Env, follower: string, followId: string): Promise<number> {
  const r = await env.DB.prepare('DELETE FROM ap_followers WHERE follower = ?1 AND follow_id = ?2').bind(follower, followId).run()
  return r.meta.changes
}

/** Removes every follow of a remote actor (its account was deleted). */
export async function removeRemoteActor(env: Env, follower: string): Promise<number> {
  const r = await env.DB.prepare('DELETE FROM ap_followers WHERE follower = ?1').bind(follower).run()
  return r.meta.changes
}

export async function followerCount(env: Env, actor: string): Promise<number> {
  return (await env.DB.prepare('SELECT COUNT(*) AS n FROM ap_followers WHERE actor = ?1').bind(actor).first<{ n: number }>())?.n ?? 0
}

/** One inbox per remote server: the shared inbox when it has one, else each follower's own. */
export async function deliveryInboxes(env: Env, actors: readonly string[]): Promise<string[]> {
  if (!actors.length) return []
  const marks = actors.map((_, i) => `?${i + 1}`).join(', ')
  const { results } = await env.DB.prepare(`SELECT DISTINCT COALESCE(shared_inbox, inbox) AS inbox FROM ap_followers WHERE actor IN (${marks}) ORDER BY inbox`).bind(...actors).all<{ inbox: string }>()
  return results.map((r) => r.inbox)
}

export interface StoryState {
  story_id: string
  updated_ms: number
  sent: 'baseline' | 'Create' | 'Update'
}

export async function storyStates(env: Env): Promise<Map<string, StoryState>> {
  const { results } = await env.DB.prepare('SELECT story_id, updated_ms, sent FROM ap_stories').all<StoryState>()
  return new Map(results.map((r) => [r.story_id, r]))
}

export function setStoryState(env: Env, s: StoryState & { slug: string }, now: number): D1PreparedStatement {
  return env.DB.prepare(
    `INSERT INTO ap_stories (story_id, slug, updated_ms, sent, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)
     ON CONFLICT (story_id) DO UPDATE SET slug = ?2, updated_ms = ?3, sent = ?4, sent_at = ?5`,
  ).bind(s.story_id, s.slug, s.updated_ms, s.sent, now)
}

/** The first run's record of the stories out before it, in one statement (one D1 query, however many). */
export async function setBaselineStates(env: Env, stories: readonly { story_id: string; slug: string; updated_ms: number }[], now: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO ap_stories (story_id, slug, updated_ms, sent, sent_at)
     SELECT json_extract(value, '$.story_id'), json_extract(value, '$.slug'), json_extract(value, '$.updated_ms'), 'baseline', ?2 FROM json_each(?1) WHERE true
     ON CONFLICT (story_id) DO UPDATE SET slug = excluded.slug, updated_ms = excluded.updated_ms, sent = excluded.sent, sent_at = excluded.sent_at`,
  )
    .bind(JSON.stringify(stories), now)
    .run()
}

export function saveActivity(env: Env, id: string, actor: string, type: string, body: string, now: number): D1PreparedStatement {
  return env.DB.prepare('INSERT OR IGNORE INTO ap_activities (id, actor, type, body, created_at) VALUES (?1, ?2, ?3, ?4, ?5)').bind(id, actor, type, body, now)
}

export async function activity(env: Env, id: string): Promise<{ actor: string; type: string; body: string } | null> {
  return env.DB.prepare('SELECT actor, type, body FROM ap_activities WHERE id = ?1').bind(id).first()
}

export async function settled(env: Env, activityId: string, inbox: string): Promise<string | undefined> {
  return (await env.DB.prepare('SELECT outcome FROM ap_deliveries WHERE activity_id = ?1 AND inbox = ?2').bind(activityId, inbox).first<{ outcome: string }>())?.outcome
}

export async function settle(env: Env, activityId: string, inbox: string, outcome: 'delivered' | 'gone' | 'dead', attempts: number, detail: string, now: number): Promise<void> {
  await env.DB.prepare(
    `INSERT INTO ap_deliveries (activity_id, inbox, outcome, attempts, detail, settled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
     ON CONFLICT (activity_id, inbox) DO NOTHING`,
  ).bind(activityId, inbox, outcome, attempts, detail, now).run()
}

/**
 * How long sent activities and settled deliveries are kept. A delivery job reads its activity's
 * body and checks its settled record only while the job lives: a queue holds a message 14 days at
 * the most (Cloudflare Queues' longest retention), so a month is past every job. Activity ids
 * answer GET from the archive, not from here (src/fediverse/routes.ts). Without this, every
 * story's activities and one row per follower inbox and story stay for ever (D1 on Free holds 500 MB).
 */
export const AP_RECORD_MS = 30 * 86_400_000
/** The statements of pruneApRecords. */
export const AP_PRUNE_QUERIES = 2

export async function pruneApRecords(env: Env, now: number): Promise<void> {
  await env.DB.batch([
    env.DB.prepare('DELETE FROM ap_deliveries WHERE settled_at < ?1').bind(now - AP_RECORD_MS),
    env.DB.prepare('DELETE FROM ap_activities WHERE created_at < ?1').bind(now - AP_RECORD_MS),
  ])
}

export async function deliveries(env: Env): Promise<{ activity_id: string; inbox: string; outcome: string; attempts: number; detail: string }[]> {
  return (await env.DB.prepare('SELECT activity_id, inbox, outcome, attempts, detail FROM ap_deliveries ORDER BY settled_at, activity_id').all<{ activity_id: string; inbox: string; outcome: string; attempts: number; detail: string }>()).results
}

export type WithdrawalState = 'baseline' | 'Delete' | 'unsent'

/** Ids of the withdrawn stories already handled (migrations/0004_withdrawals.sql). */
export async function handledWithdrawals(env: Env): Promise<Set<string>> {
  const { results } = await env.DB.prepare('SELECT story_id FROM ap_withdrawals').all<{ story_id: string }>()
  return new Set(results.map((r) => r.story_id))
}

export function setWithdrawalState(env: Env, w: { story_id: string; slug: string; withdrawn_ms: number; sent: WithdrawalState }, now: number): D1PreparedStatement {
  return env.DB.prepare('INSERT OR IGNORE INTO ap_withdrawals (story_id, slug, withdrawn_ms, sent, sent_at) VALUES (?1, ?2, ?3, ?4, ?5)').bind(w.story_id, w.slug, w.withdrawn_ms, w.sent, now)
}
