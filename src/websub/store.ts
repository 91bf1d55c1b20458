/**
 * @module
 * All of the hub's SQL, against D1: numbered parameters, upserts on natural keys, typed rows.
 */

export interface Subscription {
  topic: string
  callback: string
  secret: string | null
  leaseSeconds: number
  expiresAt: number
}

interface SubscriptionRow {
  topic: string
  callback: string
  secret: string | null
  lease_seconds: number
  expires_at: number
}

const toSubscription = (r: SubscriptionRow): Subscription => ({
  topic: r.topic,
  callback: r.callback,
  secret: r.secret,
  leaseSeconds: r.lease_seconds,
  expiresAt: r.expires_at,
})

function db(env: { DB?: D1Database }): D1Database {
  if (!env.DB) throw new Error('DB binding is required (wrangler.toml [[d1_databases]])')
  return env.DB
}

/**
 * How long an unsubscribe's tombstone is kept: as long as an earlier request's verification could
 * still be retried (Queues keep a message for at most 14 days), so that retry finds it newer.
 */
export const TOMBSTONE_MS = 14 * 86_400_000

/**
 * Creates or renews a subscription; a re-subscription replaces lease and secret (websub.rocks 103).
 * Only a request made no earlier than the one that set the row applies (§5.1: a later request
 * overrides an earlier one once verified, whatever order their verifications end in). False when
 * a later request's state stands.
 */
export async function upsertSubscription(env: { DB?: D1Database }, s: Subscription, now: number, requestedAt = now): Promise<boolean> {
  const result = await db(env)
    .prepare(
      `INSERT INTO subscriptions (topic, callback, secret, lease_seconds, expires_at, verified_at, requested_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
       ON CONFLICT (topic, callback) DO UPDATE SET secret = ?3, lease_seconds = ?4, expires_at = ?5, verified_at = ?6, requested_at = ?7
       WHERE subscriptions.requested_at <= ?7`,
    )
    .bind(s.topic, s.callback, s.secret, s.leaseSeconds, s.expiresAt, now, requestedAt)
    .run()
  return (result.meta.changes ?? 0) > 0
}

/**
 * Ends a subscription, unless a later request's state stands (as upsertSubscription). The row
 * stays as a tombstone (no secret, lease 0, expired now) for TOMBSTONE_MS: an earlier subscribe
 * retried after this must find it. False when a later request's state stands.
 */
export async function deleteSubscription(env: { DB?: D1Database }, topic: string, callback: string, now: number, requestedAt = now): Promise<boolean> {
  const result = await db(env)
    .prepare(
      `INSERT INTO subscriptions (topic, callback, secret, lease_seconds, expires_at, verified_at, requested_at)
       VALUES (?1, ?2, NULL, 0, ?3, ?3, ?4)
       ON CONFLICT (topic, callback) DO UPDATE SET secret = NULL, lease_seconds = 0, expires_at = ?3, verified_at = ?3, requested_at = ?4
       WHERE subscriptions.requested_at <= ?4`,
    )
    .bind(topic, callback, now, requestedAt)
    .run()
  return (result.meta.changes ?? 0) > 0
}

export async function activeSubscription(env: { DB?: D1Database }, topic: string, callback: string, now: number): Promise<Subscription | undefined> {
  const row = await db(env)
    .prepare('SELECT * FROM subscriptions WHERE topic = ?1 AND callback = ?2 AND expires_at > ?3')
    .bind(topic, callback, now)
    .first<SubscriptionRow>()
  return row ? toSubscription(row) : undefined
}

export async function subscribers(env: { DB?: D1Database }, topic: string, now: number): Promise<Subscription[]> {
  const { results } = await db(env)
    .prepare('SELECT * FROM subscriptions WHERE topic = ?1 AND expires_at > ?2 ORDER BY callback')
    .bind(topic, now)
    .all<SubscriptionRow>()
  return results.map(toSubscription)
}

export async function subscriberCount(env: { DB?: D1Database }, topic: string, now: number): Promise<number> {
  const row = await db(env).prepare('SELECT COUNT(*) AS n FROM subscriptions WHERE topic = ?1 AND expires_at > ?2').bind(topic, now).first<{ n: number }>()
  return row?.n ?? 0
}

/** Removes expired leases, and unsubscribes' tombstones after TOMBSTONE_MS; returns how many. */
export async function expireLeases(env: { DB?: D1Database }, now: number): Promise<number> {
  const result = await db(env)
    .prepare('DELETE FROM subscriptions WHERE expires_at <= ?1 AND (lease_seconds > 0 OR expires_at <= ?2)')
    .bind(now, now - TOMBSTONE_MS)
    .run()
  return result.meta.changes ?? 0
}

/** Every active subscription's topic and callback, by topic: one query for the whole publish step. */
export async function activeCallbacks(env: { DB?: D1Database }, now: number): Promise<Map<string, string[]>> {
  const { results } = await db(env)
    .prepare('SELECT topic, callback FROM subscriptions WHERE expires_at > ?1 ORDER BY topic, callback')
    .bind(now)
    .all<{ topic: string; callback: string }>()
  const byTopic = new Map<string, string[]>()
  for (const r of results) {
    const list = byTopic.get(r.topic)
    if (list) list.push(r.callback)
    else byTopic.set(r.topic, [r.callback])
  }
  return byTopic
}

/** Every topic's last distributed fingerprint, in one query. */
export async function topicFingerprints(env: { DB?: D1Database }): Promise<Map<string, string>> {
  const { results } = await db(env).prepare('SELECT topic, fingerprint FROM topic_state').all<{ topic: string; fingerprint: string }>()
  return new Map(results.map((r) => [r.topic, r.fingerprint]))
}

/** Records many topics' fingerprints in one statement (the pairs go as one JSON parameter). */
export async function setTopicFingerprints(env: { DB?: D1Database }, fingerprints: ReadonlyMap<string, string>, now: number): Promise<void> {
  if (fingerprints.size === 0) return
  await db(env)
    .prepare(
      `INSERT INTO topic_state (topic, fingerprint, changed_at)
       SELECT key, value, ?2 FROM json_each(?1) WHERE true
       ON CONFLICT (topic) DO UPDATE SET fingerprint = excluded.fingerprint, changed_at = excluded.changed_at`,
    )
    .bind(JSON.stringify(Object.fromEntries(fingerprints)), now)
    .run()
}

/** How long settled deliveries and attempt counts are kept (the last delivery of a live subscription is kept always). */
export const DELIVERY_RECORD_MS = 30 * 86_400_000
export const ATTEMPT_RECORD_MS = 7 * 86_400_000

/**
 * Keeps the hub's records bounded (D1 on the Free plan holds 500 MB): a delivery record older than
 * DELIVERY_RECORD_MS goes unless it is the last body delivered to a subscription that still
 * exists (the one record deliveries are checked against); attempt counts go after
 * ATTEMPT_RECORD_MS (a job's retries end within a day); rate-limit windows after their hour.
 * Three statements, one batch.
 */
export async function pruneRecords(env: { DB?: D1Database }, now: number): Promise<void> {
  const d1 = db(env)
  await d1.batch([
    d1
      .prepare(
        `DELETE FROM deliveries WHERE settled_at < ?1 AND (
           NOT EXISTS (SELECT 1 FROM subscriptions s WHERE s.topic = deliveries.topic AND s.callback = deliveries.callback)
           OR outcome <> 'delivered'
           OR EXISTS (SELECT 1 FROM deliveries newer WHERE newer.topic = deliveries.topic AND newer.callback = deliveries.callback
                      AND newer.outcome = 'delivered' AND newer.settled_at > deliveries.settled_at))`,
      )
      .bind(now - DELIVERY_RECORD_MS),
    d1.prepare('DELETE FROM delivery_attempts WHERE updated_at < ?1').bind(now - ATTEMPT_RECORD_MS),
    d1.prepare('DELETE FROM hub_requests WHERE window_start <= ?1').bind(now - 3_600_000),
  ])
}

/** Records the baseline for a topic only if none exists yet (first subscriber). */
export async function initTopicFingerprint(env: { DB?: D1Database }, topic: string, fingerprint: string, now: number): Promise<void> {
  await db(env)
    .prepare('INSERT INTO topic_state (topic, fingerprint, changed_at) VALUES (?1, ?2, ?3) ON CONFLICT (topic) DO NOTHING')
    .bind(topic, fingerprint, now)
    .run()
}

export interface DeliveryRecord {
  topic: string
  fingerprint: string
  callback: string
  outcome: 'delivered' | 'dead'
  attempts: number
  detail: string
}

/**
 * The fingerprint of the body last delivered to a subscription. Only the last counts: a topic
 * that returns to an earlier body (a correction reverted, a story pulled) changed again, and its
 * subscribers hold the body in between.
 */
export async function lastDelivered(env: { DB?: D1Database }, topic: string, callback: string): Promise<string | undefined> {
  const row = await db(env)
    .prepare(`SELECT fingerprint FROM deliveries WHERE topic = ?1 AND callback = ?2 AND outcome = 'delivered' ORDER BY settled_at DESC LIMIT 1`)
    .bind(topic, callback)
    .first<{ fingerprint: string }>()
  return row?.fingerprint
}

export async function recordDelivery(env: { DB?: D1Database }, d: DeliveryRecord, now: number): Promise<void> {
  await db(env)
    .prepare(
      `INSERT INTO deliveries (topic, fingerprint, callback, outcome, attempts, detail, settled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
       ON CONFLICT (topic, fingerprint, callback) DO UPDATE SET outcome = ?4, attempts = ?5, detail = ?6, settled_at = ?7`,
    )
    .bind(d.topic, d.fingerprint, d.callback, d.outcome, d.attempts, d.detail, now)
    .run()
}

export async function deliveryRecords(env: { DB?: D1Database }): Promise<DeliveryRecord[]> {
  const { results } = await db(env).prepare('SELECT topic, fingerprint, callback, outcome, attempts, detail FROM deliveries ORDER BY settled_at').all<DeliveryRecord>()
  return results
}

/**
 * Counts a subscribe/unsubscribe request against the callback's hourly allowance.
 * Returns the seconds to wait when over it, or 0.
 */
export async function countRequest(
  env: { DB?: D1Database },
  callback: string,
  host: string,
  limits: { rateLimit: number; hostRateLimit: number },
  now: number,
): Promise<{ wait: number; over?: 'callback' | 'host' }> {
  const hour = 3_600_000
  // Both counters in one statement (one D1 query); a host's row is keyed "host <host>", which no
  // callback URL can be (it has no scheme).
  const hostKey = `host ${host}`
  const { results } = await db(env)
    .prepare(
      `INSERT INTO hub_requests (callback, window_start, count) VALUES (?1, ?3, 1), (?2, ?3, 1)
       ON CONFLICT (callback) DO UPDATE SET
         count = CASE WHEN window_start <= ?3 - ?4 THEN 1 ELSE count + 1 END,
         window_start = CASE WHEN window_start <= ?3 - ?4 THEN ?3 ELSE window_start END
       RETURNING callback, window_start, count`,
    )
    .bind(callback, hostKey, now, hour)
    .all<{ callback: string; window_start: number; count: number }>()
  let wait = 0
  let over: 'callback' | 'host' | undefined
  for (const row of results) {
    const isHost = row.callback === hostKey
    if (row.count <= (isHost ? limits.hostRateLimit : limits.rateLimit)) continue
    const rowWait = Math.max(1, Math.ceil((row.window_start + hour - now) / 1000))
    if (rowWait > wait) [wait, over] = [rowWait, isHost ? 'host' : 'callback']
  }
  return { wait, over }
}

/**
 * Claims the one delivery slot of a subscription until `expiresAt`; true when `token` holds it
 * (a free slot, an expired claim, or already ours).
 */
export async function claimDelivery(env: { DB?: D1Database }, topic: string, callback: string, token: string, now: number, expiresAt: number): Promise<boolean> {
  const row = await db(env)
    .prepare(
      `INSERT INTO delivery_claims (topic, callback, token, expires_at) VALUES (?1, ?2, ?3, ?5)
       ON CONFLICT (topic, callback) DO UPDATE SET token = ?3, expires_at = ?5 WHERE expires_at <= ?4 OR token = ?3
       RETURNING token`,
    )
    .bind(topic, callback, token, now, expiresAt)
    .first<{ token: string }>()
  return row?.token === token
}

export async function releaseDelivery(env: { DB?: D1Database }, topic: string, callback: string, token: string): Promise<void> {
  await db(env).prepare('DELETE FROM delivery_claims WHERE topic = ?1 AND callback = ?2 AND token = ?3').bind(topic, callback, token).run()
}

/** Counts one run of a delivery job; returns its attempt number (1 for the first run). */
export async function countAttempt(env: { DB?: D1Database }, topic: string, fingerprint: string, callback: string, now: number): Promise<number> {
  const row = await db(env)
    .prepare(
      `INSERT INTO delivery_attempts (topic, fingerprint, callback, attempts, detail, updated_at) VALUES (?1, ?2, ?3, 1, '', ?4)
       ON CONFLICT (topic, fingerprint, callback) DO UPDATE SET attempts = attempts + 1, updated_at = ?4
       RETURNING attempts`,
    )
    .bind(topic, fingerprint, callback, now)
    .first<{ attempts: number }>()
  return row?.attempts ?? 1
}

export async function noteAttempt(env: { DB?: D1Database }, topic: string, fingerprint: string, callback: string, detail: string): Promise<void> {
  await db(env).prepare('UPDATE delivery_attempts SET detail = ?4 WHERE topic = ?1 AND fingerprint = ?2 AND callback = ?3').bind(topic, fingerprint, callback, detail).run()
}

export async function attemptsOf(env: { DB?: D1Database }, topic: string, fingerprint: string, callback: string): Promise<{ attempts: number; detail: string } | undefined> {
  return (
    (await db(env)
      .prepare('SELECT attempts, detail FROM delivery_attempts WHERE topic = ?1 AND fingerprint = ?2 AND callback = ?3')
      .bind(topic, fingerprint, callback)
      .first<{ attempts: number; detail: string }>()) ?? undefined
  )
}
