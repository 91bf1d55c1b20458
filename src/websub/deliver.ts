/**
 * @module
 * Content distribution (WebSub §7): a fat ping — the topic's full current body with its own
 * Content-Type, `Link` rel=hub and rel=self, and `X-Hub-Signature: sha256=…` when the subscription
 * has a secret. 2xx settles it; 410 means the subscriber is gone; anything else is retried.
 */
import { HUB_PATH } from '../feeds/build'
import type { Herald } from '../herald'
import type { HubJob } from './jobs'
import { outbound } from './outbound'
import { activeSubscription, deleteSubscription, deliveryOutcome, recordDelivery } from './store'
import { topicContent } from './topics'
import type { JobOutcome } from './verify'

type DeliverJob = Extract<HubJob, { kind: 'deliver' }>

/** HMAC-SHA256 of the body with the subscription's secret, hex (§8). */
export async function signature(secret: string, body: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = await crypto.subtle.sign('HMAC', key, typeof body === 'string' ? new TextEncoder().encode(body) : body)
  return [...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, '0')).join('')
}

export async function deliver(env: Env, herald: Herald, job: DeliverJob, attempts: number, now: number): Promise<JobOutcome> {
  const subscription = await activeSubscription(env, job.topic, job.callback, now)
  if (!subscription) return { done: true, detail: 'not sent: no longer subscribed' }
  if ((await deliveryOutcome(env, job.topic, job.fingerprint, job.callback)) === 'delivered') {
    return { done: true, detail: 'not sent: this change was already delivered' }
  }
  const content = await topicContent(herald, job.topic, now)
  if (!content) return { done: true, detail: 'not sent: the topic is no longer published' }

  const headers: Record<string, string> = {
    'Content-Type': content.contentType,
    Link: `<${herald.archive.link(HUB_PATH).url}>; rel="hub", <${job.topic}>; rel="self"`,
  }
  if (subscription.secret !== null) headers['X-Hub-Signature'] = `sha256=${await signature(subscription.secret, content.bytes)}`
  const res = await outbound(job.callback, { method: 'POST', headers, body: content.bytes })
  if (res.status >= 200 && res.status <= 299) {
    await recordDelivery(env, { ...job, outcome: 'delivered', attempts, detail: res.detail }, now)
    return { done: true, detail: `delivered: ${res.detail}` }
  }
  if (res.status === 410) {
    // §7: 410 Gone means the subscriber has deleted the subscription.
    await deleteSubscription(env, job.topic, job.callback)
    return { done: true, detail: 'subscriber answered 410 Gone: subscription removed' }
  }
  return { done: false, detail: `delivery attempt ${attempts}: ${res.detail}` }
}
