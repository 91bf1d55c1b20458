/**
 * @module
 * GET/HEAD of every feed — the site's (`/feed.xml`, `/atom.xml`, `/feed.json`) and each section's,
 * tag's and author's — and of their archive pages (`?before=<story>`). A body is rendered once per
 * isolate (or fetched from the edge cache by a cold isolate) and sent with its validators.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../app'
import type { Listing } from '../content/collection'
import { feedPath, HUB_PATH, lastModifiedOf } from '../feeds/build'
import { isListed, pageOf, pageQuery, PagingError, parsePageRequest, type Page } from '../feeds/paging'
import { feedRepresentation } from '../feeds/render'
import { feedKey, formatOfFile } from '../feeds/topics'
import { send } from '../http/conditional'
import { throughEdgeCache, type CacheSource } from '../http/edge-cache'
import { represent } from '../http/representation'
import { HTML_SECURITY_HEADERS } from '../http/security'
import { FeedPreview, isBrowserNavigation } from '../pages/preview'

const NO_QUERY = new URLSearchParams()

/** The request's query; most requests have none, and skip parsing the URL. */
export function searchOf(c: Context): URLSearchParams {
  return c.req.url.includes('?') ? new URL(c.req.url).searchParams : NO_QUERY
}

/** A one-line plain-text refusal (paging mistakes): status and reason, nothing else. */
export function refuse(c: Context, error: PagingError): Response {
  return c.text(`${error.message}\n`, error.status, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' })
}

/** The page of a listing a request names, or the refusal to send. */
export function requestedPage(c: Context<AppEnv>, listing: Listing, search: URLSearchParams): Page | Response {
  try {
    return pageOf(listing, parsePageRequest(search), c.var.herald.config.feedSize, Date.now())
  } catch (err) {
    if (err instanceof PagingError) return refuse(c, err)
    throw err
  }
}

function waitUntil(c: Context): ((p: Promise<unknown>) => void) | undefined {
  try {
    const ctx = c.executionCtx
    return (p) => ctx.waitUntil(p)
  } catch {
    return undefined // app.request() in tests outside workerd has no execution context
  }
}

/** Sends a listing's feed in the format its file name names (undefined: not found). */
export async function sendFeed(c: Context<AppEnv>, listing: Listing | undefined, file: string): Promise<Response | undefined> {
  const format = formatOfFile(file)
  if (!listing || !format) return undefined
  const page = requestedPage(c, listing, searchOf(c))
  if (page instanceof Response) return page
  if (!isListed(listing, page)) return undefined

  const { collection, config, memo } = c.var.herald
  const preview = isBrowserNavigation(c.req.raw.headers)
  const selfPath = feedPath(listing, format) + pageQuery(page.request)
  // The key names everything the bytes depend on, including how many of the listing's stories are
  // still scheduled: a story going live makes a new key, not a stale hit.
  const key = feedKey(preview ? 'preview' : 'feed', format, listing, page)
  let source: CacheSource = 'memory'
  const { representation } = await memo.get(key, async () => {
    const version = `${c.env.CF_VERSION_METADATA?.id ?? 'local'}-${await c.var.herald.fingerprint()}`
    const made = await throughEdgeCache(version, `${config.origin} ${config.feedSize} ${key}`, waitUntil(c), () =>
      preview
        ? represent(
            String(<FeedPreview collection={collection} listing={listing} page={page} format={format} selfPath={selfPath} />),
            'text/html; charset=utf-8',
            lastModifiedOf(listing, page),
          )
        : feedRepresentation(collection, listing, page, format),
    )
    source = made.source
    return made.representation
  })
  return send(c, representation, {
    ...(preview && HTML_SECURITY_HEADERS),
    ...(!preview && { Link: `<${collection.link(HUB_PATH).url}>; rel="hub", <${collection.link(selfPath).url}>; rel="self"` }),
    'Cache-Control': config.feedCacheControl,
    // The same URL answers a browser navigation with a preview page: shared caches must key on it.
    Vary: 'Sec-Fetch-Mode, Sec-Fetch-Dest',
    // JSON Feed is read by browser apps; feeds are public documents.
    'Access-Control-Allow-Origin': '*',
    'X-Content-Type-Options': 'nosniff',
    'X-Herald-Cache': source,
  })
}
