/**
 * @module
 * The hub queue's consumer. A batch's messages run concurrently, each acknowledged or retried on
 * its own, so one subscriber that hangs until its timeout delays nobody else. A job that is not
 * done is retried with exponential backoff: after the queue's max_retries it moves to the
 * dead-letter queue, whose consumer records it in D1 with the real number of attempts (counted in
 * D1: the dead-letter queue restarts its own count at 1). Logs name the job, never its secret.
 */
import type { Herald } from '../herald'
import { readHubConfig } from './config'
import { deliver } from './deliver'
import type { HubJob } from './jobs'
import { outbound } from './outbound'
import { attemptsOf, countAttempt, noteAttempt, recordDelivery } from './store'
import { verifyIntent, type JobOutcome } from './verify'

export const DEAD_LETTER_QUEUE = 'herald-hub-dead'
const MAX_DELAY_SECONDS = 3600
/** Cloudflare lets an invocation hold 6 outbound connections open at once; more would only queue. */
export const MAX_CONCURRENT_JOBS = 6

/** Seconds before attempt `attempts + 1`: base · 2^(attempts−1), at most an hour. */
export function backoffSeconds(attempts: number, base: number): number {
  return Math.min(MAX_DELAY_SECONDS, base * 2 ** Math.max(0, attempts - 1))
}

function describe(job: HubJob): string {
  return job.kind === 'ping' ? `ping ${job.hub} for ${job.topic}` : `${job.kind === 'verify' ? job.mode : 'deliver'} ${job.topic} → ${job.callback}`
}

async function run(env: Env, herald: Herald, job: HubJob, attempts: number, now: number): Promise<JobOutcome> {
  switch (job.kind) {
    case 'verify':
      return verifyIntent(env, herald, job, now)
    case 'deliver': {
      const attempt = await countAttempt(env, job.topic, job.fingerprint, job.callback, now)
      const outcome = await deliver(env, herald, job, attempt, now)
      if (!outcome.done) await noteAttempt(env, job.topic, job.fingerprint, job.callback, outcome.detail)
      return outcome
    }
    case 'ping': {
      const res = await outbound(job.hub, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': job.topic }).toString(),
      })
      return res.status >= 200 && res.status <= 299 ? { done: true, detail: res.detail } : { done: false, detail: `ping: ${res.detail}` }
    }
  }
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachConcurrently<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await work(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

async function recordDead(env: Env, message: Message<HubJob>, now: number): Promise<void> {
  const job = message.body
  if (job.kind === 'deliver') {
    const tried = await attemptsOf(env, job.topic, job.fingerprint, job.callback)
    const detail = tried?.detail ? `retries exhausted; last: ${tried.detail}` : 'retries exhausted'
    await recordDelivery(env, { ...job, outcome: 'dead', attempts: tried?.attempts ?? message.attempts, detail }, now)
  }
  console.error(`herald hub: gave up: ${describe(job)}`)
}

export async function handleBatch(batch: MessageBatch<HubJob>, env: Env, herald: Herald): Promise<void> {
  const now = Date.now()
  if (batch.queue === DEAD_LETTER_QUEUE) {
    await eachConcurrently(batch.messages, MAX_CONCURRENT_JOBS, async (message) => {
      try {
        await recordDead(env, message, now)
        message.ack()
      } catch (err) {
        // Not acknowledged: the dead letter stays on its queue until it is recorded.
        console.error(`herald hub: could not record dead letter ${describe(message.body)}:`, err instanceof Error ? err.message : String(err))
        message.retry()
      }
    })
    return
  }
  const base = readHubConfig(env).retryBaseSeconds
  await eachConcurrently(batch.messages, MAX_CONCURRENT_JOBS, async (message) => {
    let outcome: JobOutcome
    try {
      outcome = await run(env, herald, message.body, message.attempts, now)
    } catch (err) {
      console.error(`herald hub: ${describe(message.body)} failed:`, err instanceof Error ? err.message : String(err))
      outcome = { done: false, detail: 'error' }
    }
    if (outcome.done) message.ack()
    else message.retry({ delaySeconds: backoffSeconds(message.attempts, base) })
  })
}
