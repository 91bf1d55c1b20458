/**
 * @module
 * Verification of intent (WebSub §5.3) and the `denied` notice (§5.2). Only a 2xx response whose
 * body is exactly the challenge counts; anything else leaves the subscriptions as they were.
 */
import type { Herald } from '../herald'
import { callbackProblem } from './callback'
import { readHubConfig } from './config'
import type { HubJob } from './jobs'
import { outbound } from './outbound'
import { activeSubscription, deleteSubscription, initTopicFingerprint, subscriberCount, upsertSubscription } from './store'
import { topicContent } from './topics'

export type JobOutcome = { done: true; detail: string } | { done: false; detail: string }

type VerifyJob = Extract<HubJob, { kind: 'verify' }>

/**
 * The callback URL with the hub's parameters appended to its query, which is kept byte for byte
 * (§5.3: the hub appends, preserving the query): a subscriber may sign its callback URL, and
 * re-serialising the query (`flag` → `flag=`, `~` → `%7E`) would break the signature.
 */
export function withParams(callback: string, params: Record<string, string>): string {
  const added = new URLSearchParams(params).toString()
  const separator = !callback.includes('?') ? '?' : /[?&]$/.test(callback) ? '' : '&'
  return callback + separator + added
}

function challenge(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
}

/** §5.2: tells the subscriber its subscription will not be honoured. */
async function deny(job: VerifyJob, reason: string): Promise<JobOutcome> {
  const res = await outbound(withParams(job.callback, { 'hub.mode': 'denied', 'hub.topic': job.topic, 'hub.reason': reason }), { method: 'GET' })
  return { done: true, detail: `denied (${reason}); subscriber answered ${res.detail}` }
}

export async function verifyIntent(env: Env, herald: Herald, job: VerifyJob, now: number): Promise<JobOutcome> {
  const hub = readHubConfig(env)
  // Checked again at the moment of calling: the policy may have changed since the request.
  const problem = callbackProblem(job.callback, { allowLoopback: hub.allowLoopback, ownOrigin: herald.archive.origin })
  if (problem) return { done: true, detail: `not called: ${problem}` }

  let fingerprint: string | undefined
  if (job.mode === 'subscribe') {
    const content = await topicContent(herald, job.topic, now)
    if (!content) return deny(job, 'the topic is no longer published here')
    const renewing = await activeSubscription(env, job.topic, job.callback, now)
    if (!renewing && (await subscriberCount(env, job.topic, now)) >= hub.maxSubscribers) {
      return deny(job, 'the topic has reached its subscriber limit')
    }
    fingerprint = content.etag
  }

  const expected = challenge()
  const params: Record<string, string> = { 'hub.mode': job.mode, 'hub.topic': job.topic, 'hub.challenge': expected }
  if (job.mode === 'subscribe') params['hub.lease_seconds'] = String(job.leaseSeconds)
  const res = await outbound(withParams(job.callback, params), { method: 'GET' })
  // A network failure or a 5xx may pass: try again later. Anything else is the subscriber's answer.
  if (res.status === 0 || res.status >= 500) return { done: false, detail: `verification: ${res.detail}` }
  if (res.status < 200 || res.status > 299 || res.body !== expected) {
    return { done: true, detail: `not verified: ${res.detail}${res.status < 300 ? ', challenge not echoed' : ''}` }
  }
  // A job queued before requests were stamped counts as made now.
  const requestedAt = job.requestedAt ?? now
  const superseded = { done: true, detail: `verified, but a later request for this topic and callback was verified first: ${job.mode} not applied` } as const
  if (job.mode === 'unsubscribe') {
    return (await deleteSubscription(env, job.topic, job.callback, now, requestedAt)) ? { done: true, detail: 'unsubscribed' } : superseded
  }
  const subscription = { topic: job.topic, callback: job.callback, secret: job.secret ?? null, leaseSeconds: job.leaseSeconds, expiresAt: now + job.leaseSeconds * 1000 }
  if (!(await upsertSubscription(env, subscription, now, requestedAt))) return superseded
  // The first subscriber sets the baseline that later changes are measured against.
  await initTopicFingerprint(env, job.topic, fingerprint!, now)
  return { done: true, detail: 'subscribed' }
}
