/**
 * @module
 * GET/HEAD of every feed: the site's (`/feed.xml`, `/atom.xml`, `/feed.json`) and each section's,
 * tag's and author's (`/sections/news/feed.xml`, …). Bodies come from the per-isolate cache.
 */
import type { Context } from 'hono'
import type { Listing } from '../content/collection'
import { FORMATS, type Format } from '../feeds/build'
import type { AppEnv } from '../app'

export const FEED_FILES = Object.fromEntries(
  (Object.keys(FORMATS) as Format[]).map((f) => [FORMATS[f].file, f]),
) as Record<string, Format>

/** Sends a listing's feed in the format its file name names. */
export async function sendFeed(c: Context<AppEnv>, listing: Listing | undefined, file: string): Promise<Response | undefined> {
  const format = FEED_FILES[file]
  if (!listing || !format) return undefined
  const feed = await c.var.herald.feeds.get(listing, format)
  return c.body(feed.body, 200, {
    'Content-Type': feed.contentType,
    ETag: feed.etag,
    'Last-Modified': feed.lastModified.toUTCString(),
    // JSON Feed is read by browser apps; feeds are public documents.
    'Access-Control-Allow-Origin': '*',
    'X-Content-Type-Options': 'nosniff',
  })
}
