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

/**
 * HTML's quality is that of the most specific range that matches it (RFC 9110 §12.5.1):
 * `text/html`, else `text/*`, else `*\/*`. `named` says whether the client listed HTML itself.
 */
function htmlQuality(ranges: MediaRange[]): { q: number; named: boolean } {
  let best: { q: number; named: boolean; rank: number } = { q: 0, named: false, rank: 0 }
  for (const r of ranges) {
    const t = r.type.toLowerCase()
    const rank = t === 'text/html' || t === 'application/xhtml+xml' ? 3 : t === 'text/*' ? 2 : t === '*/*' ? 1 : 0
    if (rank > best.rank || (rank === best.rank && rank > 0 && r.q > best.q)) best = { q: r.q, named: rank === 3, rank }
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
  return activity > html.q || (activity === html.q && !html.named)
}

export function wantsActivity(accept: string | undefined): boolean {
  // The fast lane asks this of every article GET: a browser's header names no JSON type, so it
  // is answered without parsing.
  if (!accept || !/json/i.test(accept)) return false
  const c = { req: { header: () => accept } } as unknown as Context
  return accepts(c, { header: 'Accept', supports: [], default: 'html', match: (ranges) => (preferActivity(ranges) ? 'activity' : 'html') }) === 'activity'
}
