/**
 * @module
 * Conditional GET (RFC 9110 §13): If-None-Match and If-Modified-Since against a representation's
 * strong ETag and Last-Modified, answered with 304 and the same validators; If-Match and
 * If-Unmodified-Since, evaluated before them, answered with 412 when they fail. HEAD is answered by
 * Hono from the GET route, with these headers and no body.
 */
import type { Context } from 'hono'
import type { Representation } from './representation'

/**
 * RFC 9110 §15.4.5: a 304 "MUST generate … Cache-Control, Content-Location, Date, ETag, Expires, and Vary" as a 200 would.
 * And the CORS headers where the 200 has them (feeds): a browser fetches a request carrying
 * If-None-Match with no cache (Fetch §4.5), so the 304 itself is what the CORS check reads.
 */
export const RETAINED_304_HEADERS = ['cache-control', 'content-location', 'date', 'etag', 'expires', 'vary', 'last-modified', 'access-control-allow-origin', 'access-control-expose-headers'] as const

/** The entity tags of an If-None-Match field value (a list, possibly with weak tags), or `*`. */
export function parseEntityTags(value: string): '*' | string[] {
  if (value.trim() === '*') return '*'
  return [...value.matchAll(/(?:W\/)?"[^"]*"/g)].map((m) => m[0])
}

/** Weak comparison (RFC 9110 §8.8.3.2): the opaque tags match, whether or not either is weak. */
function weaklyEqual(a: string, b: string): boolean {
  return a.replace(/^W\//, '') === b.replace(/^W\//, '')
}

/**
 * Whether a GET/HEAD with these headers gets 304. RFC 9110 §13.2.2: If-None-Match is evaluated
 * first, and when it is present If-Modified-Since is ignored.
 */
export function isNotModified(headers: Headers, representation: Representation, now: number, lastChange: LastChange): boolean {
  const inm = headers.get('if-none-match')
  if (inm !== null) {
    const tags = parseEntityTags(inm)
    // A field that is not a list of entity tags (`junk"<tag>"junk`) matches nothing; checked only
    // when a tag matched, so a poll that gets its 200 pays nothing for it.
    return tags === '*' || (tags.some((t) => weaklyEqual(t, representation.etag)) && ENTITY_TAG_LIST.test(inm))
  }
  const ims = headers.get('if-modified-since')
  if (ims !== null) {
    const since = httpDate(ims)
    // §13.1.3: an invalid date is ignored, and so is one later than now. Compared with the
    // Last-Modified this response would carry (lastModifiedAt), so a date once sent keeps validating.
    if (!Number.isNaN(since) && since <= now) return lastModifiedAt(representation, now, lastChange) <= since
  }
  return false
}

/**
 * The last instant not after `now` at which what the server sends could have changed (the build, a
 * scheduled story going live, a withdrawal taking effect: Archive.lastChangeAtOrBefore).
 */
export type LastChange = (now: number) => number

/**
 * The Last-Modified (ms, whole seconds: HTTP dates have no more) a representation is sent with at
 * `now`. RFC 9110 §8.8.2.1: never later than now. A representation whose own is still to come (a
 * story whose `updated` an editor dated ahead) is sent with `lastChange(now)`, the last instant at
 * which its bytes could have changed, not with now: now would change every second, so the date a
 * reader sends back (§13.1.3) would be older than the next second's Last-Modified and every poll
 * would get the whole feed again, and caches would see a new validator on every response. That
 * instant is the same for every request and isolate until something changes, and moves when
 * something does (a deploy, a story going live), so a reader holding it gets 304 exactly while the
 * bytes are the ones it has (§13.1.3: not modified since that date). §8.8.2.1 names the message's
 * Date as the replacement; the last change is no later than that either, and is what the server
 * knows of when these bytes came to be. When the date comes, it is sent itself (later than any
 * sent before, so a reader gets the full response once).
 */
export function lastModifiedAt(representation: Representation, now: number, lastChange: LastChange): number {
  const own = representation.lastModified.getTime()
  return Math.floor((own > now ? Math.min(lastChange(now), now) : own) / 1000) * 1000
}

/**
 * RFC 9110 §8.8.3: `#entity-tag`, with optional whitespace around the commas; §5.6.1.2: a recipient
 * MUST accept empty list elements (`, "a"`, `"a",`, `"a",,"b"`). Whitespace is taken only after a
 * tag or a comma, never by two parts at once, so a field of many empty elements is checked in
 * linear time.
 */
const ENTITY_TAG_LIST = /^[ \t]*(?:(?:W\/)?"[\x21\x23-\x7e\x80-\uffff]*"[ \t]*)?(?:,[ \t]*(?:(?:W\/)?"[\x21\x23-\x7e\x80-\uffff]*"[ \t]*)?)*$/

const DAY = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)'
const MONTH = '(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)'
const TIME = '\\d{2}:\\d{2}:\\d{2}'
/**
 * RFC 9110 §5.6.7: an HTTP-date is an IMF-fixdate, or one of the two obsolete forms a recipient
 * must accept (RFC 850, asctime). `Date.parse` alone takes `2030` or an ISO 8601 instant.
 */
const HTTP_DATE = new RegExp(
  `^(?:${DAY}, (\\d{2}) ${MONTH} \\d{4} ${TIME} GMT` +
    `|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-\\d{2} ${TIME} GMT` +
    `|${DAY} ${MONTH} ([ \\d]\\d) ${TIME} \\d{4})$`,
)

/**
 * An HTTP-date's instant, or NaN when the field is none (§13.1.3: then it is ignored). A day the
 * month does not have is none either: `Date.parse` rolls 31 Feb over to 3 March.
 */
export function httpDate(field: string): number {
  const match = HTTP_DATE.exec(field.trim())
  if (!match) return NaN
  const at = Date.parse(match[0])
  const day = Number(match[1] ?? match[2] ?? match[3])
  return new Date(at).getUTCDate() === day ? at : NaN
}

/** The header lists of one representation as one route sends it: built once, reused by every request. */
export interface Prepared {
  ok: [string, string][]
  notModified: [string, string][]
}

const prepared = new WeakMap<Representation, Map<string, Prepared>>()

function prepare(representation: Representation, headers: Record<string, string>): Prepared {
  const ok = Object.entries({
    ...headers,
    'Content-Type': representation.contentType,
    ETag: representation.etag,
    'Last-Modified': representation.lastModified.toUTCString(),
  })
  return { ok, notModified: ok.filter(([k]) => (RETAINED_304_HEADERS as readonly string[]).includes(k.toLowerCase())) }
}

/**
 * Sends a representation with its validators, or 304 with the same validators and no body.
 * `headers` is called once per representation and `variant` (the route's own name for the header
 * set it adds), not per request: a memoised feed costs a lookup, a validator check and a Response.
 * HEAD gets the same headers; Hono drops the body.
 */
export function send(c: Context, representation: Representation, variant: string, lastChange: LastChange, headers: () => Record<string, string>): Response {
  let byVariant = prepared.get(representation)
  if (!byVariant) prepared.set(representation, (byVariant = new Map()))
  let p = byVariant.get(variant)
  if (!p) byVariant.set(variant, (p = prepare(representation, headers())))
  return respond(c.req.raw.headers, representation, p, lastChange)
}

/** The header set `send` prepared for a representation and variant, if it did. */
export function preparedFor(representation: Representation, variant: string): Prepared | undefined {
  return prepared.get(representation)?.get(variant)
}

/** The response to a request with `headers`: the representation, or 304. */
export function respond(headers: Headers, representation: Representation, p: Prepared, lastChange: LastChange): Response {
  // RFC 9110 §13.2.1: preconditions are ignored when the response would be other than 2xx.
  const status = representation.status ?? 200
  // §8.8.2.1: a Last-Modified later than now (a story whose `updated` an editor dated ahead) is
  // sent as the last change before now (lastModifiedAt), and If-Modified-Since is held to that
  // (isNotModified), so a reader polling with it gets its 304s instead of the whole feed until that date.
  const now = Date.now()
  const future = representation.lastModified.getTime() > now
  const sent = future ? new Date(lastModifiedAt(representation, now, lastChange)).toUTCString() : ''
  const list = (h: [string, string][]) => (future ? h.map(([k, v]): [string, string] => (k === 'Last-Modified' ? [k, sent] : [k, v])) : h)
  if (status === 200) {
    const failed = failedPrecondition(headers, representation, now, lastChange)
    if (failed) return new Response(`${failed} (412)\n`, { status: 412, headers: [...PRECONDITION_FAILED_HEADERS, ...list(p.notModified).filter(([k]) => !UNCACHED_412.has(k.toLowerCase()))] })
    if (isNotModified(headers, representation, now, lastChange)) return new Response(null, { status: 304, headers: list(p.notModified) })
  }
  return new Response(representation.bytes, { status, headers: list(p.ok) })
}

/**
 * A 412's own headers, before the validators and CORS headers a 304 would carry (the client
 * compares the ETag it held with the current one). Never stored: a cache keys on the URL, not on
 * If-Match, and would hand the 412 to every reader after.
 */
const PRECONDITION_FAILED_HEADERS: [string, string][] = [
  ['Content-Type', 'text/plain; charset=UTF-8'],
  ['Cache-Control', 'no-store'],
  ['X-Content-Type-Options', 'nosniff'],
]
const UNCACHED_412 = new Set(['cache-control', 'expires'])

/**
 * RFC 9110 §13.2.2, steps 1 and 2, which hold for GET too (§13.1.1: an origin server "MUST evaluate
 * the If-Match condition … prior to performing the method"): a client that asks for these bytes
 * only if they are still the ones it holds (a resumed download, an editor's tool checking a fix
 * went out) gets 412 when they are not, never a silently different feed. If-Match compares
 * strongly (§8.8.3.2), so a weak tag never matches; If-Unmodified-Since is ignored when If-Match is
 * present or the date is not an HTTP-date. Returns the reason when the precondition fails.
 */
export function failedPrecondition(headers: Headers, representation: Representation, now: number, lastChange: LastChange): string | undefined {
  const im = headers.get('if-match')
  if (im !== null) {
    const tags = parseEntityTags(im)
    const matches = tags === '*' || (tags.includes(representation.etag) && ENTITY_TAG_LIST.test(im))
    return matches ? undefined : `If-Match names no current entity tag of this resource: it is now ${representation.etag}`
  }
  const ius = headers.get('if-unmodified-since')
  if (ius !== null) {
    const since = httpDate(ius)
    const modified = lastModifiedAt(representation, now, lastChange)
    if (!Number.isNaN(since) && modified > since) return `modified since If-Unmodified-Since: Last-Modified is now ${new Date(modified).toUTCString()}`
  }
  return undefined
}
