/**
 * @module
 * Withdrawals reaching followers: when a story's withdrawal takes effect, followers get a `Delete`
 * of its `Article` whose object is a `Tombstone` (ActivityStreams vocabulary §5.3: `formerType`,
 * `deleted`), from the site actor, to every server with a follower of the site or of the story's
 * section — the servers that hold it. Same queue, signing, retries and dead letters as Create and
 * Update (src/fediverse/consumer.ts); the activity id is derived from the story, so it is made and
 * sent once. Run by the publish step (src/fediverse/publish.ts).
 */
import type { Archive } from '../archive/archive'
import { withdrawnAt } from '../archive/withdrawals'
import type { Story } from '../content/story'
import type { Herald } from '../herald'
import { actorId, followersId, PUBLIC, sectionActor, siteHandle, withContext } from './actors'
import { enqueueAp, type ApJob } from './jobs'
import { activityId, type Allowance } from './publish'
import { callable } from './remote'
import { deliveryInboxes, handledWithdrawals, saveActivity, setWithdrawalState } from './store'

/** What a withdrawn story's URL is on the fediverse from its withdrawal on. */
export function tombstone(story: Story): Record<string, unknown> {
  return { id: story.url, type: 'Tombstone', formerType: 'Article', deleted: story.withdrawn!.at.toISOString() }
}

/** The site actor's `Delete` of a withdrawn story, as sent and as its id answers (src/fediverse/routes.ts). Without `@context`. */
export function deleteActivity(archive: Archive, story: Story): Record<string, unknown> {
  const site = siteHandle(archive)
  return {
    id: activityId(archive, site, 'Delete', story),
    type: 'Delete',
    actor: actorId(archive, site),
    published: story.withdrawn!.at.toISOString(),
    to: [PUBLIC],
    cc: [followersId(archive, site)],
    object: tombstone(story),
  }
}

export interface WithdrawalReport {
  deleted: string[]
  deliveriesQueued: number
}

/**
 * Sends a Delete for each withdrawal in effect at `now` not handled before. `told` holds the ids of
 * the stories followers may have (ap_stories): a story withdrawn before any run sent it needs no
 * Delete. On the first run (`baseline`) withdrawals are recorded and nothing is sent, as for the
 * rest of the back catalogue.
 */
export async function publishWithdrawals(env: Env, herald: Herald, now: number, told: ReadonlySet<string>, baseline: boolean, allowance: Allowance): Promise<WithdrawalReport> {
  const { archive } = herald
  const home = archive.home
  const report: WithdrawalReport = { deleted: [], deliveriesQueued: 0 }
  const due = withdrawnAt(home, now)
  if (due.length === 0) return report
  const handled = await handledWithdrawals(env)
  allowance.left -= 1
  const site = siteHandle(archive)
  let done = 0
  for (const w of due) {
    if (handled.has(w.id)) continue
    // The most one costs with fewer than 100 inboxes (inboxes, activity, a send, state); the rest wait for the next run.
    if (allowance.left < 4 && done > 0) break
    done++
    const [story] = await home.slice(w.position, w.position + 1)
    if (!story) continue
    const state = { story_id: story.id, slug: story.slug, withdrawn_ms: w.at }
    if (baseline || !told.has(story.id)) {
      await setWithdrawalState(env, { ...state, sent: baseline ? 'baseline' : 'unsent' }, now).run()
      allowance.left -= 1
      continue
    }
    const id = activityId(archive, site, 'Delete', story)
    const section = sectionActor(archive, story)
    const body = withContext(deleteActivity(archive, story))
    const inboxes = (await deliveryInboxes(env, section ? [site, section.handle] : [site])).filter(callable(env, herald))
    const jobs = inboxes.map((inbox): ApJob => ({ kind: 'ap-deliver', activityId: id, actor: site, inbox }))
    allowance.left -= 3 + Math.ceil(jobs.length / 100)
    // As for Create: the activity, then the queue, then the state; a rerun makes the same id.
    await saveActivity(env, id, site, 'Delete', JSON.stringify(body), now).run()
    await enqueueAp(env.AP_QUEUE, jobs)
    await setWithdrawalState(env, { ...state, sent: 'Delete' }, now).run()
    report.deleted.push(story.url)
    report.deliveriesQueued += jobs.length
  }
  return report
}
