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
import { expireLeases, setTopicFingerprint, subscribedTopics, subscribers, topicFingerprint } from './store'
import { topicContent } from './topics'

export interface PublishReport {
  expiredLeases: number
  changedTopics: string[]
  deliveriesQueued: number
  /** Stories pushed to fediverse followers (src/fediverse/publish.ts). */
  fediverse?: { created: string[]; updated: string[]; deliveriesQueued: number }
}

export async function publishChanges(env: Env, herald: Herald, now: number): Promise<PublishReport> {
  const hub = readHubConfig(env)
  const expiredLeases = await expireLeases(env, now)
  const topics = new Set(await subscribedTopics(env, now))
  // External hubs learn of the site's own feeds, whether or not anyone subscribed here.
  const main = FORMAT_NAMES.map((f) => herald.archive.link(feedPath(herald.archive.home, f)).url)
  if (hub.externalHubs.length) for (const t of main) topics.add(t)

  const changedTopics: string[] = []
  let deliveriesQueued = 0
  for (const topic of topics) {
    const content = await topicContent(herald, topic, now)
    if (!content) continue
    const previous = await topicFingerprint(env, topic)
    if (previous === content.etag) continue
    const jobs: HubJob[] = (await subscribers(env, topic, now)).map((s) => ({ kind: 'deliver', topic, callback: s.callback, fingerprint: content.etag }))
    deliveriesQueued += jobs.length
    if (main.includes(topic)) jobs.push(...hub.externalHubs.map((h): HubJob => ({ kind: 'ping', hub: h, topic })))
    // Queue first, then record: if queueing fails the next tick tries again (deliveries are deduplicated).
    await enqueue(env.HUB_QUEUE, jobs)
    await setTopicFingerprint(env, topic, content.etag, now)
    changedTopics.push(topic)
  }
  // Followers on the fediverse learn of the same changes; loaded only here and by its own routes.
  const fediverse = await (await import('../fediverse/publish')).publishFediverse(env, herald, now)
  return { expiredLeases, changedTopics, deliveriesQueued, fediverse }
}
