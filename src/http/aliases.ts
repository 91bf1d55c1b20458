/**
 * @module
 * The feed URLs readers guess, answered with 301 to the canonical feed: never a 404, never a second
 * copy of a feed under another URL. Also drops a trailing slash (`/feed.xml/`, `/sections/news/`)
 * and collapses leading ones (`//feed.xml`), so that a redirect never leaves the site.
 */
import type { MiddlewareHandler } from 'hono'
import { FORMATS, LISTING_KINDS, type Format } from '../site-map'
import { FEED_PREFLIGHT, methodNotAllowed } from './errors'

/** Guessed last segments, by the format they mean. */
const GUESSED: Record<Format, readonly string[]> = {
  rss: ['rss', 'rss.xml', 'feed', 'index.xml', 'index.rss', 'feed.rss'],
  atom: ['atom', 'index.atom', 'feed.atom'],
  json: ['json', 'feed.json.json'],
}
const GUESSES: Record<string, string> = Object.fromEntries(
  (Object.keys(GUESSED) as Format[]).flatMap((format) => GUESSED[format].map((guess) => [guess, FORMATS[format].file])),
)

/** The site's feed, or a section's, tag's or author's: only there do guesses make sense. */
const GUESSABLE = new RegExp(`^((?:/(?:${Object.values(LISTING_KINDS).map((k) => k.segment).join('|')})/[^/]+)?)/([^/]+)$`)

/** The canonical path for a guessed one, or undefined when the path is canonical already. */
export function canonicalPath(path: string): string | undefined {
  // One leading slash: a Location of `//evil.example` is another site's URL (protocol-relative).
  let p = path.startsWith('//') ? path.replace(/^\/+/, '/') : path
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1)
  const m = GUESSABLE.exec(p)
  if (m && Object.hasOwn(GUESSES, m[2]!)) p = `${m[1]}/${GUESSES[m[2]!]}`
  return p === path ? undefined : p
}

const FEED_FILES = Object.values(FORMATS).map((f) => `/${f.file}`)
const isFeed = (path: string) => FEED_FILES.some((file) => path.endsWith(file))
/** The feed routes' own answer to OPTIONS (src/app.tsx). */
const feedPreflight = methodNotAllowed(undefined, FEED_PREFLIGHT)

export function feedAliases(): MiddlewareHandler {
  return async function feedAliases(c, next) {
    const method = c.req.method
    // Hono's path, not a parsed URL: this runs on every request, and nearly all are canonical.
    if ((method === 'GET' || method === 'HEAD' || method === 'OPTIONS') && canonicalPath(c.req.path) !== undefined) {
      const url = new URL(c.req.url)
      const target = canonicalPath(url.pathname)
      if (target !== undefined) {
        // A browser app that guessed a feed's URL reads the redirect only if CORS allows it (the
        // Fetch standard checks the 301 itself), and its preflight is never redirected: a feed's
        // alias answers both as the feed would.
        const feed = isFeed(target)
        if (method === 'OPTIONS') {
          if (feed) return feedPreflight(c)
        } else {
          const res = c.redirect(target + url.search, 301)
          if (feed) res.headers.set('Access-Control-Allow-Origin', '*')
          return res
        }
      }
    }
    await next()
  }
}
