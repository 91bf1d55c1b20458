/**
 * @module
 * `POST /hub`: subscription requests (WebSub §5.1). The request is checked here and answered
 * `202 Accepted`; verification of intent happens asynchronously on the queue (verify.ts). A refusal
 * is a 4xx with a plain-text reason, as §5.1.2 asks ("hubs SHOULD return a description of the
 * error in the response body as plain text").
 */
import type { Context } from 'hono'
import type { AppEnv } from '../app'
import { resolveFeedUrl } from '../feeds/topics'
import { callbackProblem } from './callback'
import { readHubConfig } from './config'
import { enqueue, type HubMode } from './jobs'
import { countRequest } from './store'

/** A subscription request is a few hundred bytes; anything much larger is not one. */
export const MAX_HUB_BODY_BYTES = 8 * 1024
/** §5.1: "hub.secret … MUST be less than 200 bytes in length." */
export const MAX_SECRET_BYTES = 199

const FORM = 'application/x-www-form-urlencoded'

function refuse(c: Context, status: 400 | 413 | 415 | 429, reason: string, headers: Record<string, string> = {}): Response {
  return c.text(`${reason} (${status})\n`, status, { 'Cache-Control': 'no-store', ...headers })
}

/** GET /hub: a note for people who follow the rel="hub" link. */
export function hubInfo(c: Context): Response {
  return c.text(
    'This is the WebSub hub of this site (https://www.w3.org/TR/websub/).\n' +
      'Subscribe by POSTing hub.mode=subscribe, hub.topic=<feed URL> and hub.callback=<your URL> as application/x-www-form-urlencoded.\n',
    200,
    { 'Cache-Control': 'public, max-age=86400' },
  )
}

export async function hubRequest(c: Context<AppEnv>): Promise<Response> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== FORM) return refuse(c, 415, `the body must be ${FORM}`)
  const declared = Number(c.req.header('content-length') ?? '0')
  if (declared > MAX_HUB_BODY_BYTES) return refuse(c, 413, `the body is larger than ${MAX_HUB_BODY_BYTES} bytes`)
  const raw = await c.req.arrayBuffer()
  if (raw.byteLength > MAX_HUB_BODY_BYTES) return refuse(c, 413, `the body is larger than ${MAX_HUB_BODY_BYTES} bytes`)
  const form = new URLSearchParams(new TextDecoder().decode(raw))

  const one = (name: string): string | undefined | Response => {
    const values = form.getAll(name)
    if (values.length > 1) return refuse(c, 400, `${name} is given ${values.length} times; give it once`)
    return values[0]
  }
  const mode = one('hub.mode')
  if (mode instanceof Response) return mode
  if (mode === 'publish') return refuse(c, 400, 'hub.mode=publish is not taken here: this hub notices new content by itself')
  if (mode !== 'subscribe' && mode !== 'unsubscribe') return refuse(c, 400, 'hub.mode must be subscribe or unsubscribe')

  const { archive } = c.var.herald
  const topic = one('hub.topic')
  if (topic instanceof Response) return topic
  if (!topic) return refuse(c, 400, 'hub.topic is required')
  if (!resolveFeedUrl(archive, topic)) return refuse(c, 400, `hub.topic must be one of this site's feed URLs, such as ${archive.link('/feed.xml').url}`)

  const hub = readHubConfig(c.env)
  const callback = one('hub.callback')
  if (callback instanceof Response) return callback
  if (!callback) return refuse(c, 400, 'hub.callback is required')
  const problem = callbackProblem(callback, { allowLoopback: hub.allowLoopback, ownOrigin: archive.origin })
  if (problem) return refuse(c, 400, problem)

  const secret = one('hub.secret')
  if (secret instanceof Response) return secret
  if (secret !== undefined && new TextEncoder().encode(secret).byteLength > MAX_SECRET_BYTES) {
    return refuse(c, 400, 'hub.secret must be less than 200 bytes')
  }
  const leaseRaw = one('hub.lease_seconds')
  if (leaseRaw instanceof Response) return leaseRaw
  let lease = hub.leaseDefault
  if (leaseRaw !== undefined && leaseRaw !== '') {
    if (!/^\d{1,10}$/.test(leaseRaw)) return refuse(c, 400, 'hub.lease_seconds must be a whole number of seconds')
    lease = Math.min(hub.leaseMax, Math.max(hub.leaseMin, Number(leaseRaw)))
  }

  const wait = await countRequest(c.env, callback, hub.rateLimit, Date.now())
  if (wait > 0) return refuse(c, 429, `too many requests for this callback; try again in ${wait} seconds`, { 'Retry-After': String(wait) })

  await enqueue(c.env.HUB_QUEUE, [
    { kind: 'verify', mode: mode as HubMode, topic, callback, leaseSeconds: lease, ...(secret !== undefined && mode === 'subscribe' && { secret }) },
  ])
  return c.text(`${mode} request accepted; the hub will verify it with a GET to hub.callback (202)\n`, 202, { 'Cache-Control': 'no-store' })
}
