/**
 * @module
 * The feed URLs readers guess, answered with 301 to the canonical feed: never a 404, never a second
 * copy of a feed under another URL. Also drops a trailing slash (`/feed.xml/`, `/sections/news/`).
 */
import type { MiddlewareHandler } from 'hono'

/** Guessed last segments, by the canonical file they mean. */
const GUESSES: Record<string, string> = {
  rss: 'feed.xml',
  'rss.xml': 'feed.xml',
  feed: 'feed.xml',
  'index.xml': 'feed.xml',
  'index.rss': 'feed.xml',
  'feed.rss': 'feed.xml',
  atom: 'atom.xml',
  'index.atom': 'atom.xml',
  'feed.atom': 'atom.xml',
  json: 'feed.json',
  'feed.json.json': 'feed.json',
}

/** The site's feed, or a section's, tag's or author's: only there do guesses make sense. */
const GUESSABLE = /^((?:\/(?:sections|tags|authors)\/[^/]+)?)\/([^/]+)$/

/** The canonical path for a guessed one, or undefined when the path is canonical already. */
export function canonicalPath(path: string): string | undefined {
  let p = path
  while (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1)
  const m = GUESSABLE.exec(p)
  if (m && m[2]! in GUESSES) p = `${m[1]}/${GUESSES[m[2]!]}`
  return p === path ? undefined : p
}

export function feedAliases(): MiddlewareHandler {
  return async function feedAliases(c, next) {
    if (c.req.method === 'GET' || c.req.method === 'HEAD') {
      // Hono's path, not a parsed URL: this runs on every request, and nearly all are canonical.
      if (canonicalPath(c.req.path) !== undefined) {
        const url = new URL(c.req.url)
        const target = canonicalPath(url.pathname)
        if (target !== undefined) return c.redirect(target + url.search, 301)
      }
    }
    await next()
  }
}
