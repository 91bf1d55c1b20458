/**
 * @module
 * Pushing stories to followers, driven by the same step as WebSub (cron and POST /admin/publish):
 * a story out for the first time goes as `Create` of its `Article` from the site actor (and an
 * `Announce` of it from its section's actor, for people who follow only the section); a story
 * whose `updated` changed goes as `Update`. One delivery per (activity, inbox), the shared inbox
 * standing for every follower on its server. Activity ids are derived from the story and its
 * `updated`, so a second run, or a retried one, never makes a second activity. A story whose
 * withdrawal takes effect goes as `Delete` of a `Tombstone` (src/fediverse/withdraw.ts).
 *
 * The first run on a new database records the stories already out as the baseline: followers get
 * news from then on, not the back catalogue.
 */
import type { Archive } from '../archive/archive'
import { isWithdrawn } from '../archive/withdrawals'
import type { Story } from '../content/story'
import type { Herald } from '../herald'
import { actorId, articleObject, followersId, PUBLIC, sectionActor, siteHandle, withContext } from './actors'
import { enqueueAp, type ApJob } from './jobs'
import { callable } from './remote'
import { deliveryInboxes, saveActivity, setBaselineStates, setStoryState, storyStates } from './store'
import { publishWithdrawals } from './withdraw'

// The hub's publish run does the fediverse's housekeeping too, through this module (loaded on use).
export { AP_PRUNE_QUERIES, pruneApRecords } from './store'

/** Stories looked at per run, newest first: more than a minute's news. */
export const PUBLISH_WINDOW = 50

export interface FediversePublishReport {
  created: string[]
  updated: string[]
  /** Withdrawn stories whose Delete was queued (src/fediverse/withdraw.ts). */
  deleted: string[]
  deliveriesQueued: number
}

interface Outgoing {
  id: string
  actor: string
  type: string
  body: Record<string, unknown>
  inboxes: string[]
}

/** A story's activity of a type: a Create or Announce happens once (keyed by the story), an Update once per `updated`. */
export function activityId(archive: Archive, handle: string, type: string, story: Story): string {
  const version = type === 'Update' ? `-${story.updated.getTime()}` : ''
  return `${actorId(archive, handle)}/activities/${type.toLowerCase()}-${story.anchor}${version}`
}

/**
 * The site actor's `Create` (a story first out) or `Update` (a correction) of a story's `Article`,
 * as sent and as its id answers (src/fediverse/routes.ts). Without `@context`.
 */
export function storyActivity(archive: Archive, type: 'Create' | 'Update', story: Story): Record<string, unknown> {
  const site = siteHandle(archive)
  const id = activityId(archive, site, type, story)
  return { id, type, actor: actorId(archive, site), published: (type === 'Create' ? story.published : story.updated).toISOString(), to: [PUBLIC], cc: [followersId(archive, site)], object: articleObject(archive, story) }
}

/** A section actor's `Announce` of a story of its section, as sent and as its id answers. Without `@context`. */
export function announceActivity(archive: Archive, handle: string, story: Story): Record<string, unknown> {
  const id = activityId(archive, handle, 'Announce', story)
  return { id, type: 'Announce', actor: actorId(archive, handle), published: story.published.toISOString(), to: [PUBLIC], cc: [followersId(archive, handle)], object: story.url }
}

/** What one run may still spend of its invocation's subrequests (D1 queries and queue sends). */
export interface Allowance {
  left: number
}

/** The most a story's Create or Update costs with fewer than 100 inboxes: 2 inbox queries, 2 activities, a send, its state. */
const STORY_COST = 6

/**
 * Sends what changed since the last run. `allowance` is what the invocation has left of its
 * subrequests (src/limits.ts): a story that would pass it is left for the next run, unrecorded, so
 * that run sends it.
 */
export async function publishFediverse(env: Env, herald: Herald, now: number, allowance: Allowance = { left: Number.POSITIVE_INFINITY }): Promise<FediversePublishReport> {
  const { archive } = herald
  const home = archive.home
  const from = home.scheduledCount(now)
  // The window is the newest stories as built, the withdrawn ones then left out (they get a Delete
  // below, never a Create or Update): a withdrawal must not pull an older story into the window
  // and have it announced as new.
  const stories = (await home.slice(from, Math.min(home.count, from + PUBLISH_WINDOW))).filter((s) => !isWithdrawn(s, now)).reverse()
  const states = await storyStates(env)
  allowance.left -= 1
  const report: FediversePublishReport = { created: [], updated: [], deleted: [], deliveriesQueued: 0 }
  const baseline = states.size === 0
  const withdrawals = await publishWithdrawals(env, herald, now, new Set(states.keys()), baseline, allowance)
  report.deleted = withdrawals.deleted
  report.deliveriesQueued += withdrawals.deliveriesQueued
  if (baseline) {
    if (stories.length) await setBaselineStates(env, stories.map((s) => ({ story_id: s.id, slug: s.slug, updated_ms: s.updated.getTime() })), now)
    return report
  }
  const site = siteHandle(archive)
  let sent = 0
  for (const story of stories) {
    const state = states.get(story.id)
    if (state && state.updated_ms === story.updated.getTime()) continue
    if (allowance.left < STORY_COST && sent > 0) break
    const type = state ? 'Update' : 'Create'
    const section = sectionActor(archive, story)
    const outgoing: Outgoing[] = []
    const siteId = activityId(archive, site, type, story)
    outgoing.push({
      id: siteId,
      actor: site,
      type,
      body: withContext(storyActivity(archive, type, story)),
      // An Update reaches every server that has the story, through either actor.
      inboxes: (await deliveryInboxes(env, type === 'Update' && section ? [site, section.handle] : [site])).filter(callable(env, herald)),
    })
    if (type === 'Create' && section) {
      const id = activityId(archive, section.handle, 'Announce', story)
      outgoing.push({
        id,
        actor: section.handle,
        type: 'Announce',
        body: withContext(announceActivity(archive, section.handle, story)),
        inboxes: (await deliveryInboxes(env, [section.handle])).filter(callable(env, herald)),
      })
    }
    const jobs: ApJob[] = outgoing.flatMap((o) => o.inboxes.map((inbox): ApJob => ({ kind: 'ap-deliver', activityId: o.id, actor: o.actor, inbox })))
    allowance.left -= outgoing.length
    const cost = outgoing.length + Math.ceil(jobs.length / 100) + 1
    // The first story goes whatever it costs: one with that many inboxes would never fit a run.
    if (cost > allowance.left && sent > 0) break
    allowance.left -= cost
    sent++
    // Activities first, then the queue, then the state: a run that dies part way is redone by the
    // next one with the same ids, and deliveries already settled are not sent again.
    await env.DB.batch(outgoing.map((o) => saveActivity(env, o.id, o.actor, o.type, JSON.stringify(o.body), now)))
    await enqueueAp(env.AP_QUEUE, jobs)
    await setStoryState(env, { story_id: story.id, slug: story.slug, updated_ms: story.updated.getTime(), sent: type }, now).run()
    report.deliveriesQueued += jobs.length
    ;(type === 'Create' ? report.created : report.updated).push(story.url)
  }
  return report
}
