/**
 * @module
 * `POST /hub`: subscription requests (WebSub §5.1). The request is checked here and answered
 * `202 Accepted`; verification of intent happens asynchronously on the queue (verify.ts). A refusal
 * is a 4xx with a plain-text reason, as §5.1.2 asks ("hubs SHOULD return a description of the
 * error in the response body as plain text"), thrown as an HTTPException (src/http/errors.ts).
 */
import type { Context, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import * as z from 'zod/mini'
import type { AppEnv } from '../app'
import { resolveFeedUrl } from '../feeds/topics'
import { feedPath } from '../site-map'
import { refusal } from '../http/errors'
import { callbackProblem, canonicalHost } from './callback'
import { readHubConfig } from './config'
import { enqueue } from './jobs'
import { countRequest } from './store'

/** A subscription request is a few hundred bytes; anything much larger is not one. */
export const MAX_HUB_BODY_BYTES = 8 * 1024
/** §5.1: "hub.secret … MUST be less than 200 bytes in length." */
export const MAX_SECRET_BYTES = 199

const FORM = 'application/x-www-form-urlencoded'

const utf8Length = (s: string) => new TextEncoder().encode(s).byteLength

/** The form's fields as §5.1 defines them; the messages are what the subscriber reads. */
const SubscriptionForm = z.object({
  'hub.mode': z.enum(['subscribe', 'unsubscribe'], {
    error: (issue) =>
      issue.input === 'publish' ? 'hub.mode=publish is not taken here: this hub notices new content by itself' : 'hub.mode must be subscribe or unsubscribe',
  }),
  'hub.topic': z.string({ error: 'hub.topic is required' }).check(z.minLength(1, 'hub.topic is required')),
  'hub.callback': z.string({ error: 'hub.callback is required' }).check(z.minLength(1, 'hub.callback is required')),
  // An empty secret is no HMAC key (Web Crypto refuses one of length 0): no delivery could be signed.
  'hub.secret': z.optional(
    z.string().check(
      z.minLength(1, 'hub.secret must not be empty; leave it out for unsigned deliveries'),
      z.refine((s) => utf8Length(s) <= MAX_SECRET_BYTES, 'hub.secret must be less than 200 bytes'),
    ),
  ),
  // Any whole number: the hub clamps it to its bounds (§5.1 leaves the lease to the hub), however many digits.
  'hub.lease_seconds': z.optional(z.string().check(z.regex(/^\d*$/, 'hub.lease_seconds must be a whole number of seconds'))),
})

/** Bodies over MAX_HUB_BODY_BYTES are refused before they are read whole (declared or streamed). */
export const hubBodyLimit: MiddlewareHandler = bodyLimit({
  maxSize: MAX_HUB_BODY_BYTES,
  onError: () => {
    throw refusal(413, `the body is larger than ${MAX_HUB_BODY_BYTES} bytes`)
  },
})

/** GET /hub: a note for people who follow the rel="hub" link. */
export function hubInfo(c: Context): Response {
  return c.text(
    'This is the WebSub hub of this site (https://www.w3.org/TR/websub/).\n' +
      'Subscribe by POSTing hub.mode=subscribe, hub.topic=<feed URL> and hub.callback=<your URL> as application/x-www-form-urlencoded.\n',
    200,
    { 'Cache-Control': 'public, max-age=86400' },
  )
}

/**
 * The hub's fields, each given at most once (a repeated one is ambiguous, so refused). Any other
 * parameter is left out unread, repeated or not: §5.1 "Hubs MUST ignore additional request
 * parameters they do not understand". An unsubscribe's hub.lease_seconds is left out too (§5.1:
 * it "MUST be ignored by the hub"), so no value of it is refused.
 */
function hubFields(form: URLSearchParams): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const name of Object.keys(SubscriptionForm.shape)) {
    const values = form.getAll(name)
    if (values.length > 1) throw refusal(400, `${name} is given ${values.length} times; give it once`)
    if (values.length === 1) fields[name] = values[0]!
  }
  if (fields['hub.mode'] === 'unsubscribe') delete fields['hub.lease_seconds']
  return fields
}

/**
 * A URL with its percent-escapes normalised (RFC 3986 §6.2.2.2: an unreserved character is never
 * encoded, hex digits are upper case), which WebSub §5.1.1 asks of a hub: "Hubs MUST always decode
 * non-reserved characters". `%7Ebob` and `~bob` are one callback, `%66eed.xml` is `feed.xml`.
 */
function normalisedEscapes(url: string): string {
  return url.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16))
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase()
  })
}

export async function hubRequest(c: Context<AppEnv>): Promise<Response> {
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase()
  if (type !== FORM) throw refusal(415, `the body must be ${FORM}`)
  const parsed = SubscriptionForm.safeParse(hubFields(new URLSearchParams(await c.req.text())))
  if (!parsed.success) throw refusal(400, parsed.error.issues[0]!.message)
  const form = parsed.data
  const mode = form['hub.mode']
  const topic = form['hub.topic']
  const callback = form['hub.callback']

  const { archive } = c.var.herald
  const feed = resolveFeedUrl(archive, normalisedEscapes(topic))
  if (!feed) throw refusal(400, `hub.topic must be one of this site's feed URLs, such as ${archive.link('/feed.xml').url}`)
  // One spelling per feed: the topic is stored as given and echoed to the callback as given (§5.3),
  // so `HTTP://HOST/./feed.xml` would be a second subscription to the same feed, delivered twice
  // and counted apart from the first. The canonical URL is the feed's rel="self".
  const canonical = archive.link(feedPath(feed.listing, feed.format)).url
  if (topic !== canonical) throw refusal(400, `hub.topic must be written as the feed's rel="self" URL: ${canonical}`)
  const hub = readHubConfig(c.env)
  const problem = callbackProblem(callback, { allowLoopback: hub.allowLoopback, ownOrigin: archive.origin })
  if (problem) throw refusal(400, problem)
  // One spelling per callback, as per topic. The URL parser drops a trailing space or control
  // character that the verification URL (callback + "?hub.mode=…") keeps as %20 in its path: the
  // subscription would be confirmed at one address and delivered to another. And `HTTP://`, `/./`
  // spellings would each be a subscription of their own, counted apart by the rate limit.
  // Escapes normalised too (§5.1.1), for the same reason: `%7Ebob` and `~bob` are one callback.
  const url = new URL(callback)
  const written = normalisedEscapes(url.href)
  if (callback !== written) throw refusal(400, `hub.callback must be written as the URL parser writes it, with no unreserved character percent-encoded: ${written}`)
  const lease = form['hub.lease_seconds'] ? Math.min(hub.leaseMax, Math.max(hub.leaseMin, Number(form['hub.lease_seconds']))) : hub.leaseDefault

  // Per callback, and per callback host: every request makes the hub send a GET, and a host's
  // other paths and queries would otherwise each have an allowance of their own.
  // The host as the callback policy compares it: `victim.example.` is `victim.example`.
  const now = Date.now()
  const { wait, over } = await countRequest(c.env, callback, `${canonicalHost(url.hostname)}${url.port && `:${url.port}`}`, hub, now)
  if (wait > 0) throw refusal(429, `too many requests for this ${over === 'host' ? "callback's host" : 'callback'}; try again in ${wait} seconds`, { 'Retry-After': String(wait) })

  const secret = form['hub.secret']
  await enqueue(c.env.HUB_QUEUE, [{ kind: 'verify', mode, topic, callback, leaseSeconds: lease, requestedAt: now, ...(secret !== undefined && mode === 'subscribe' && { secret }) }])
  return c.text(`${mode} request accepted; the hub will verify it with a GET to hub.callback (202)\n`, 202, { 'Cache-Control': 'no-store' })
}
