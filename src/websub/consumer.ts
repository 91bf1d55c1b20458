/**
 * @module
 * The hub queue's consumer. A job that is not done is retried with exponential backoff, never
 * acknowledged: after the queue's max_retries it moves to the dead-letter queue, whose consumer
 * records it in D1. Logs name the job, never its secret.
 */
import type { Herald } from '../herald'
import { readHubConfig } from './config'
import { deliver } from './deliver'
import type { HubJob } from './jobs'
import { outbound } from './outbound'
import { recordDelivery } from './store'
import { verifyIntent, type JobOutcome } from './verify'

export const DEAD_LETTER_QUEUE = 'herald-hub-dead'
const MAX_DELAY_SECONDS = 3600

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
    case 'deliver':
      return deliver(env, herald, job, attempts, now)
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

export async function handleBatch(batch: MessageBatch<HubJob>, env: Env, herald: Herald): Promise<void> {
  const now = Date.now()
  if (batch.queue === DEAD_LETTER_QUEUE) {
    for (const message of batch.messages) {
      const job = message.body
      if (job.kind === 'deliver') {
        await recordDelivery(env, { ...job, outcome: 'dead', attempts: message.attempts, detail: 'retries exhausted' }, now)
      }
      console.error(`herald hub: gave up: ${describe(job)}`)
      message.ack()
    }
    return
  }
  const base = readHubConfig(env).retryBaseSeconds
  for (const message of batch.messages) {
    let outcome: JobOutcome
    try {
      outcome = await run(env, herald, message.body, message.attempts, now)
    } catch (err) {
      console.error(`herald hub: ${describe(message.body)} failed:`, err instanceof Error ? err.message : String(err))
      outcome = { done: false, detail: 'error' }
    }
    if (outcome.done) message.ack()
    else message.retry({ delaySeconds: backoffSeconds(message.attempts, base) })
  }
}
