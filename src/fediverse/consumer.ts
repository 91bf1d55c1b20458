/**
 * @module
 * The fediverse queue's consumer: one signed POST per (activity, inbox). 2xx settles it; 410 means
 * the server is gone; another 4xx (but 401, 408 and 429) will not change on retry and is recorded as
 * dead at once; anything else is retried with the hub's exponential backoff until the queue's
 * max_retries, after which the dead-letter consumer records it. A settled pair is never sent again.
 */
import type { Herald } from '../herald'
import { backoffSeconds } from '../websub/consumer'
import { readHubConfig } from '../websub/config'
import { keyId } from './actors'
import { AP_DEAD_LETTER_QUEUE, type ApJob } from './jobs'
import { RemoteError, remoteProblem, remoteRequest } from './remote'
import { activity, settle, settled } from './store'

async function deliverOne(env: Env, herald: Herald, job: ApJob, attempts: number, now: number): Promise<{ done: boolean; detail: string }> {
  if (await settled(env, job.activityId, job.inbox)) return { done: true, detail: 'already settled' }
  const row = await activity(env, job.activityId)
  if (!row) return { done: true, detail: 'no such activity' }
  const problem = remoteProblem(env, herald, job.inbox)
  if (problem) {
    await settle(env, job.activityId, job.inbox, 'dead', attempts, `refused by the outbound policy: ${problem}`, now)
    return { done: true, detail: problem }
  }
  let status: number
  try {
    status = (await remoteRequest(env, herald, 'POST', job.inbox, keyId(herald.archive, job.actor), row.body)).status
  } catch (err) {
    const detail = err instanceof RemoteError ? err.message : String(err)
    return { done: false, detail }
  }
  if (status >= 200 && status <= 299) {
    await settle(env, job.activityId, job.inbox, 'delivered', attempts, `HTTP ${status}`, now)
    return { done: true, detail: `delivered: HTTP ${status}` }
  }
  if (status === 410) {
    await settle(env, job.activityId, job.inbox, 'gone', attempts, 'HTTP 410', now)
    return { done: true, detail: 'gone: HTTP 410' }
  }
  // 401 is retried as Mastodon's DeliveryWorker retries it (response_error_unsalvageable?): Mastodon
  // answers 401 when it could not fetch the signer's key yet, which a later attempt may.
  if (status >= 400 && status <= 499 && status !== 401 && status !== 408 && status !== 429) {
    await settle(env, job.activityId, job.inbox, 'dead', attempts, `refused: HTTP ${status}`, now)
    return { done: true, detail: `refused: HTTP ${status}` }
  }
  return { done: false, detail: `HTTP ${status}` }
}

export async function handleApBatch(batch: MessageBatch<ApJob>, env: Env, herald: Herald): Promise<void> {
  const now = Date.now()
  const base = readHubConfig(env).retryBaseSeconds
  await Promise.all(
    batch.messages.map(async (message) => {
      const job = message.body
      try {
        if (batch.queue === AP_DEAD_LETTER_QUEUE) {
          await settle(env, job.activityId, job.inbox, 'dead', message.attempts, 'retries exhausted', now)
          console.error(`herald fediverse: gave up: ${job.activityId} → ${job.inbox}`)
          message.ack()
          return
        }
        const outcome = await deliverOne(env, herald, job, message.attempts, now)
        if (outcome.done) message.ack()
        else {
          console.error(`herald fediverse: ${job.activityId} → ${job.inbox}: attempt ${message.attempts}: ${outcome.detail}`)
          message.retry({ delaySeconds: backoffSeconds(message.attempts, base) })
        }
      } catch (err) {
        console.error(`herald fediverse: ${job.activityId} → ${job.inbox} failed:`, err instanceof Error ? err.message : String(err))
        message.retry({ delaySeconds: backoffSeconds(message.attempts, base) })
      }
    }),
  )
}
