/**
 * @module
 * How a request is refused: every refusal is an `HTTPException` thrown where the problem is found
 * and turned into a response by the app's one `onError` (src/app.tsx). Plain, short, never a 500.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

/** Methods every page and feed answers: RFC 9110 §9.3.2 requires HEAD wherever GET is served. */
export const READ_METHODS = ['GET', 'HEAD', 'OPTIONS'] as const

/** Headers of every refusal: never cached, never sniffed. */
const REFUSAL_HEADERS = { 'Content-Type': 'text/plain; charset=UTF-8', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }

/**
 * The exception for a refusal: one line of plain text, `<reason> (<status>)`, as WebSub §5.1.2
 * asks of a hub and as a person reading a feed reader's error log needs.
 */
export function refusal(status: ContentfulStatusCode, reason: string, headers: Record<string, string> = {}): HTTPException {
  return new HTTPException(status, { message: reason, res: new Response(`${reason} (${status})\n`, { status, headers: { ...REFUSAL_HEADERS, ...headers } }) })
}

/** Nothing at this address: the app's 404 page (onError renders it). */
export function notFound(): HTTPException {
  return new HTTPException(404, { message: 'not found' })
}

/** A deploy or archive problem the operator must fix: 503, naming what broke and what to run. */
export function unavailable(reason: string): HTTPException {
  return refusal(503, `Service Unavailable: ${reason}`, { 'Retry-After': '30' })
}

/**
 * RFC 9110 §15.5.6: a 405 "MUST generate an Allow header field". OPTIONS gets 204 with the same
 * Allow, and `preflight`'s headers (a CORS preflight's answer, where the route allows CORS).
 */
export function methodNotAllowed(allow: readonly string[] = READ_METHODS, preflight: Record<string, string> = {}) {
  const value = allow.join(', ')
  return function methodNotAllowed(c: Context): Response {
    if (c.req.method === 'OPTIONS') return c.body(null, 204, { Allow: value, ...preflight })
    throw refusal(405, `${c.req.method} is not allowed here; use ${allow.filter((m) => m !== 'OPTIONS').join(' or ')}`, { Allow: value })
  }
}

/**
 * A CORS preflight's answer for a feed (Fetch standard §3.2): a browser app that revalidates with
 * If-None-Match sends a header that is not safelisted, so its GET waits on this. It lists every
 * precondition the feed evaluates (src/http/conditional.ts), If-Match and If-Unmodified-Since too.
 */
export const FEED_PREFLIGHT = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, HEAD',
  'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since, If-Match, If-Unmodified-Since',
  'Access-Control-Max-Age': '86400',
}
