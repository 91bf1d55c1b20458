/**
 * @module
 * Noticing new content (WebSub §6 is the hub's business here): each topic's current fingerprint —
 * the strong ETag of its feed — against the last one distributed. A deploy that adds or corrects a
 * story, or a scheduled story going live, changes the fingerprint of every topic it touches (the
 * home feed, its section's, its tags', its authors', in all three formats), and each subscriber
 * of each changed topic gets one queue message. Run by the cron and by POST /admin/publish.
 */
import { feedPath, FORMAT_NAMES } from '../site-map'
import type { Herald } from '../herald'
import { readHubConfig } from './config'
import { enqueue, type HubJob } from './jobs'
import { activeCallbacks, expireLeases, pruneRecords, setTopicFingerprints, topicFingerprints } from './store'
import { topicContent } from './topics'

export interface PublishReport {
  expiredLeases: number
  changedTopics: string[]
  /** Changed topics left for the next run: their messages did not fit this invocation's subrequests. */
  deferredTopics: string[]
  deliveriesQueued: number
  /** Stories pushed to fediverse followers (src/fediverse/publish.ts). */
  fediverse?: { created: string[]; updated: string[]; deliveriesQueued: number }
}

/** The hub's own D1 queries in a run: expire leases, read subscriptions, read fingerprints, record them. */
export const PUBLISH_QUERIES = 4
/** Left for the fediverse's publish step, which runs in the same invocation (tests/worker/budget.test.ts measures it). */
export const FEDIVERSE_RESERVE = 20
/** The statements of pruneRecords. */
const PRUNE_QUERIES = 3
/**
 * Whether a run at `now` prunes the hub's and the fediverse's records: the run of each hour's
 * first minute (the cron's `scheduledTime` is on the minute). A run with no room for it, or an
 * hour the cron missed, leaves it to the next hour's.
 */
export function isHousekeepingRun(now: number): boolean {
  return Math.floor(now / 60_000) % 60 === 0
}

/** Messages per Queues sendBatch call. */
const PER_SEND = 100

/**
 * One run costs a fixed number of subrequests, whatever the number of topics (Cloudflare counts
 * each D1 query and each queue send against the invocation's limit: 50 on the Free plan): the
 * subscriptions and the fingerprints are read in one query each, the fingerprints written in one,
 * and the messages sent 100 a call. Changed topics whose messages would pass the limit wait for
 * the next run (their fingerprints are not recorded, so they are still changed then).
 */
export async function publishChanges(env: Env, herald: Herald, now: number): Promise<PublishReport> {
  const hub = readHubConfig(env)
  const sendBudget = Math.max(1, hub.subrequestLimit - PUBLISH_QUERIES - FEDIVERSE_RESERVE)
  const expiredLeases = await expireLeases(env, now)
  const callbacks = await activeCallbacks(env, now)
  const topics = new Set(callbacks.keys())
  // External hubs learn of the site's own feeds, whether or not anyone subscribed here.
  const main = FORMAT_NAMES.map((f) => herald.archive.link(feedPath(herald.archive.home, f)).url)
  if (hub.externalHubs.length) for (const t of main) topics.add(t)
  const previous = await topicFingerprints(env)

  const changedTopics: string[] = []
  const deferredTopics: string[] = []
  const recorded = new Map<string, string>()
  const jobs: HubJob[] = []
  let deliveriesQueued = 0
  for (const topic of topics) {
    const content = await topicContent(herald, topic, now)
    if (!content || previous.get(topic) === content.etag) continue
    const topicJobs: HubJob[] = (callbacks.get(topic) ?? []).map((callback) => ({ kind: 'deliver', topic, callback, fingerprint: content.etag }))
    if (main.includes(topic)) topicJobs.push(...hub.externalHubs.map((h): HubJob => ({ kind: 'ping', hub: h, topic })))
    const fits = Math.ceil((jobs.length + topicJobs.length) / PER_SEND) <= sendBudget
    // A topic too big for any run alone goes alone: HUB_MAX_SUBSCRIBERS is set past what the plan allows.
    if (!fits && (changedTopics.length > 0 || deferredTopics.length > 0)) {
      deferredTopics.push(topic)
      continue
    }
    if (!fits) console.warn(`herald hub: ${topic} has ${topicJobs.length} messages, more than ${sendBudget * PER_SEND} fit one invocation's subrequests (SUBREQUEST_LIMIT ${hub.subrequestLimit}); lower HUB_MAX_SUBSCRIBERS`)
    jobs.push(...topicJobs)
    deliveriesQueued += topicJobs.filter((j) => j.kind === 'deliver').length
    recorded.set(topic, content.etag)
    changedTopics.push(topic)
  }
  // Queue first, then record: if queueing fails the next run tries again (deliveries are deduplicated).
  await enqueue(env.HUB_QUEUE, jobs)
  await setTopicFingerprints(env, recorded, now)
  // Followers on the fediverse learn of the same changes; loaded only here and by its own routes.
  // With what this run has left of the invocation's subrequests: at least FEDIVERSE_RESERVE.
  const allowance = { left: hub.subrequestLimit - PUBLISH_QUERIES - Math.ceil(jobs.length / PER_SEND) }
  const ap = await import('../fediverse/publish')
  const fediverse = await ap.publishFediverse(env, herald, now, allowance)
  // Housekeeping last, once an hour, with what is left: records are kept for days, so an hour
  // late costs nothing, and every minute would read D1 sixty times over for the same few rows.
  if (isHousekeepingRun(now)) {
    if (allowance.left >= PRUNE_QUERIES) {
      await pruneRecords(env, now)
      allowance.left -= PRUNE_QUERIES
    }
    if (allowance.left >= ap.AP_PRUNE_QUERIES) await ap.pruneApRecords(env, now)
  }
  return { expiredLeases, changedTopics, deferredTopics, deliveriesQueued, fediverse }
}
