/**
 * @module
 * Messages on the fediverse queue (`AP_QUEUE`, wrangler.toml): one per (activity, inbox).
 */

export interface ApJob {
  kind: 'ap-deliver'
  /** An id of ap_activities: the body sent. */
  activityId: string
  /** The local actor whose key signs it. */
  actor: string
  inbox: string
}

export const AP_DEAD_LETTER_QUEUE = 'herald-ap-dead'

export async function enqueueAp(queue: Queue, jobs: readonly ApJob[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 100) await queue.sendBatch(jobs.slice(i, i + 100).map((body) => ({ body })))
}
