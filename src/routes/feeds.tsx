/**
 * @module
 * GET/HEAD of every feed — the site's (`/feed.xml`, `/atom.xml`, `/feed.json`) and each section's,
 * tag's and author's — and of their archive pages (`?before=<story>`). A body is rendered once per
 * isolate (or fetched from the edge cache by a cold isolate) and sent with its validators.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../app'
import type { Listing } from '../archive/archive'
import { feedPath, HUB_PATH, lastModifiedOf } from '../feeds/build'
import { pageOf, pageQuery, parsePageRequest, type Page } from '../feeds/paging'
import { feedRepresentation, prerenderedFeed } from '../feeds/render'
import { feedKey, formatOfFile } from '../feeds/topics'
import { send } from '../http/conditional'
import { notFound } from '../http/errors'
import { throughEdgeCache, type CacheSource } from '../http/edge-cache'
import { represent, type Representation } from '../http/representation'
import { HTML_SECURITY_HEADERS } from '../http/security'
import { FeedPreview, isBrowserNavigation } from '../pages/preview'

const NO_QUERY = new URLSearchParams()

/** The request's query; most requests have none, and skip parsing the URL. */
export function searchOf(c: Context): URLSearchParams {
  return c.req.url.includes('?') ? new URL(c.req.url).searchParams : NO_QUERY
}

/**
 * The memoised representation under `key`, made by `make` on a miss only: a hit costs a map lookup,
 * whatever the archive's size. A miss that throws (an unknown anchor: a 404 refusal) is not remembered.
 */
export async function memoised(c: Context<AppEnv>, key: string, make: () => Promise<Representation>): Promise<Representation> {
  return (await c.var.herald.memo.get(key, make)).representation
}

function waitUntil(c: Context): ((p: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx
    return (p) => ctx.waitUntil(p)
  } catch {
    return undefined // app.request() in tests outside workerd has no execution context
  }
}

/** Sends a listing's feed in the format its file name names. */
export async function sendFeed(c: Context<AppEnv>, listing: Listing | undefined, file: string): Promise<Response> {
  const format = formatOfFile(file)
  if (!listing || !format) throw notFound()
  const request = parsePageRequest(searchOf(c))
  const now = Date.now()
  if (!listing.isListed(now)) throw notFound()

  const { archive, config } = c.var.herald
  const preview = isBrowserNavigation(c.req.raw.headers)
  const selfPath = feedPath(listing, format) + pageQuery(request)
  // The key names everything the bytes depend on, including how many of the listing's stories are
  // still scheduled: a story going live makes a new key, not a stale hit.
  const key = feedKey(preview ? 'preview' : 'feed', format, listing, request, listing.scheduledCount(now))
  let source: CacheSource = 'memory'
  const representation = await memoised(c, key, async () => {
    const prebuilt = !preview && request.kind === 'first' ? await prerenderedFeed(archive, listing, format, config.feedSize, now) : undefined
    if (prebuilt) {
      source = 'prebuilt'
      return prebuilt
    }
    const version = `${c.env.CF_VERSION_METADATA?.id ?? 'local'}-${archive.fingerprint}`
    const made = await throughEdgeCache(version, `${config.origin} ${config.feedSize} ${key}`, waitUntil(c), async () => {
      const page: Page = await pageOf(listing, request, config.feedSize, now)
      return preview
        ? represent(
            String(<FeedPreview archive={archive} listing={listing} page={page} format={format} selfPath={selfPath} />),
            'text/html; charset=utf-8',
            lastModifiedOf(listing, page),
          )
        : feedRepresentation(archive, listing, page, format)
    })
    source = made.source
    return made.representation
  })
  // One header set per representation and source: `preview` and the page are in the memo key already.
  return send(c, representation, source, () => ({
    ...(preview && HTML_SECURITY_HEADERS),
    ...(!preview && { Link: `<${archive.link(HUB_PATH).url}>; rel="hub", <${archive.link(selfPath).url}>; rel="self"` }),
    'Cache-Control': config.feedCacheControl,
    // The same URL answers a browser navigation with a preview page: shared caches must key on it.
    Vary: 'Sec-Fetch-Mode, Sec-Fetch-Dest',
    // JSON Feed is read by browser apps; feeds are public documents.
    'Access-Control-Allow-Origin': '*',
    'X-Content-Type-Options': 'nosniff',
    'X-Herald-Cache': source,
  }))
}
