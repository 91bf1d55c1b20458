/**
 * @module
 * Whether a request asks for ActivityStreams rather than HTML. Statically imported by the app:
 * everything else under src/fediverse/ is loaded by `import()` only on the routes that need it.
 */
import type { Context } from 'hono'
import { accepts } from 'hono/accepts'

const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams'

/** One media range as Hono's Accept parser gives it (its type is not exported). */
interface MediaRange {
  type: string
  params: Record<string, string>
  q: number
}

/** `application/activity+json`, or `application/ld+json` with the ActivityStreams profile (ActivityPub §3.2). */
function isActivity({ type, params }: MediaRange): boolean {
  const t = type.toLowerCase()
  return t === 'application/activity+json' || (t === 'application/ld+json' && (params.profile ?? '').split(/\s+/).includes(AS_CONTEXT))
}

/** How specifically a range names HTML: 3 itself, 2 `text/*`, 1 `*\/*`, 0 not at all. */
const NAMED = 3
function htmlRank(type: string): number {
  const t = type.toLowerCase()
  return t === 'text/html' || t === 'application/xhtml+xml' ? NAMED : t === 'text/*' ? 2 : t === '*/*' ? 1 : 0
}

/** HTML's quality is that of the most specific range that matches it (RFC 9110 §12.5.1), and that range's rank. */
function htmlQuality(ranges: MediaRange[]): { q: number; rank: number } {
  let best = { q: 0, rank: 0 }
  for (const r of ranges) {
    const rank = htmlRank(r.type)
    if (rank > best.rank || (rank === best.rank && rank > 0 && r.q > best.q)) best = { q: r.q, rank }
  }
  return best
}

/**
 * ActivityStreams when the client rates it above HTML, or equal to an HTML it reached only by a
 * wildcard (`application/activity+json, *\/*` is a fediverse server). A browser's `*\/*;q=0.8` and a
 * reader's `text/html;q=1, application/activity+json;q=0.1` get the page; `;q=0` refuses a type.
 */
function preferActivity(ranges: MediaRange[]): boolean {
  const activity = Math.max(0, ...ranges.filter(isActivity).map((r) => r.q))
  if (activity <= 0) return false
  const html = htmlQuality(ranges)
  return activity > html.q || (activity === html.q && html.rank < NAMED)
}

/** Whether the Accept header prefers the ActivityStreams representation to the HTML page. */
export function wantsActivity(accept: string | undefined): boolean {
  // The fast lane asks this of every article GET: a browser's header names no JSON type, so it
  // is answered without parsing.
  if (!accept || !/json/i.test(accept)) return false
  // Hono's Accept parser is reached only through `accepts(c, …)`, which reads the header off a context.
  const c = { req: { header: () => accept } } as unknown as Context
  return accepts(c, { header: 'Accept', supports: [], default: 'html', match: (ranges) => (preferActivity(ranges) ? 'activity' : 'html') }) === 'activity'
}
