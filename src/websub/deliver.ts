/**
 * @module
 * Content distribution (WebSub §7): a fat ping — the topic's full current body with its own
 * Content-Type, `Link` rel=hub and rel=self, and `X-Hub-Signature: sha256=…` when the subscription
 * has a secret. 2xx settles it; 410 means the subscriber is gone; anything else is retried.
 *
 * Exactly once per body and subscription: a job sends the topic's *current* body (a subscriber
 * wants the feed as it is, and a retried job may run after newer changes), so what it records is
 * the fingerprint of what it sent, not of the change that queued it; the body last delivered to
 * the subscription is not sent again, whichever job meets it (an earlier body that comes back is:
 * the subscriber holds the one between). One claim per subscription in D1
 * keeps two jobs (an old retry and a new change) from sending at once. The one gap: an isolate that
 * dies between the subscriber's 2xx and the record leaves the claim to expire, and the next job
 * sends that body again — at-least-once is all any hub can promise across a crash.
 */
import { HUB_PATH } from '../feeds/build'
import type { Herald } from '../herald'
import { callbackProblem } from './callback'
import { readHubConfig } from './config'
import type { HubJob } from './jobs'
import { OUTBOUND_TIMEOUT_MS, outbound } from './outbound'
import { activeSubscription, claimDelivery, deleteSubscription, lastDelivered, recordDelivery, releaseDelivery } from './store'
import { topicContent } from './topics'
import type { JobOutcome } from './verify'

type DeliverJob = Extract<HubJob, { kind: 'deliver' }>

/** How long a claim holds: longer than one POST can take, so only a dead isolate's claim expires. */
export const CLAIM_MS = OUTBOUND_TIMEOUT_MS * 6

/** HMAC-SHA256 of the body with the subscription's secret, hex (§8). */
export async function signature(secret: string, body: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = await crypto.subtle.sign('HMAC', key, typeof body === 'string' ? new TextEncoder().encode(body) : body)
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export async function deliver(env: Env, herald: Herald, job: DeliverJob, attempts: number, now: number): Promise<JobOutcome> {
  const token = crypto.randomUUID()
  if (!(await claimDelivery(env, job.topic, job.callback, token, now, now + CLAIM_MS))) {
    return { done: false, detail: `delivery attempt ${attempts}: another delivery to this subscription is in flight` }
  }
  try {
    return await deliverClaimed(env, herald, job, attempts, now)
  } finally {
    await releaseDelivery(env, job.topic, job.callback, token)
  }
}

async function deliverClaimed(env: Env, herald: Herald, job: DeliverJob, attempts: number, now: number): Promise<JobOutcome> {
  const subscription = await activeSubscription(env, job.topic, job.callback, now)
  if (!subscription) return { done: true, detail: 'not sent: no longer subscribed' }
  // Checked again at the moment of calling, as verification does: the subscription may predate the policy.
  const problem = callbackProblem(job.callback, { allowLoopback: readHubConfig(env).allowLoopback, ownOrigin: herald.archive.origin })
  if (problem) return { done: true, detail: `not sent: ${problem}` }
  const content = await topicContent(herald, job.topic, now)
  if (!content) return { done: true, detail: 'not sent: the topic is no longer published' }
  if ((await lastDelivered(env, job.topic, job.callback)) === content.etag) {
    return { done: true, detail: 'not sent: the current body is the one last delivered to this subscription' }
  }

  const headers: Record<string, string> = {
    'Content-Type': content.contentType,
    Link: `<${herald.archive.link(HUB_PATH).url}>; rel="hub", <${job.topic}>; rel="self"`,
  }
  if (subscription.secret !== null) headers['X-Hub-Signature'] = `sha256=${await signature(subscription.secret, content.bytes)}`
  const res = await outbound(job.callback, { method: 'POST', headers, body: content.bytes })
  if (res.status >= 200 && res.status <= 299) {
    // Recorded under what was sent: the job's own change may be older than the body that went.
    await recordDelivery(env, { topic: job.topic, callback: job.callback, fingerprint: content.etag, outcome: 'delivered', attempts, detail: res.detail }, now)
    return { done: true, detail: `delivered: ${res.detail}` }
  }
  if (res.status === 410) {
    // §7: 410 Gone means the subscriber has deleted the subscription: as an unsubscribe made now.
    await deleteSubscription(env, job.topic, job.callback, now)
    return { done: true, detail: 'subscriber answered 410 Gone: subscription removed' }
  }
  return { done: false, detail: `delivery attempt ${attempts}: ${res.detail}` }
}
