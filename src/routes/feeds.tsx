/**
 * @module
 * GET/HEAD of every feed — the site's (`/feed.xml`, `/atom.xml`, `/feed.json`) and each section's,
 * tag's and author's — and of their archive pages (`?before=<story>`). A body is rendered once per
 * isolate (or taken from the build or the edge cache by a cold isolate, src/http/pipeline.ts) and
 * sent with its validators.
 */
import type { Context } from 'hono'
import type { AppEnv } from '../app'
import type { Listing } from '../archive/archive'
import { epochOf } from '../archive/withdrawals'
import { feedPath, HUB_PATH, lastModifiedOf } from '../feeds/build'
import { pageOf, pageQuery, parsePageRequest, type Page, type PageRequest } from '../feeds/paging'
import { feedRecipe } from '../feeds/render'
import { feedKey, formatOfFile } from '../feeds/topics'
import { send } from '../http/conditional'
import type { CacheSource } from '../http/edge-cache'
import { notFound } from '../http/errors'
import { represented, type Recipe, type WaitUntil } from '../http/pipeline'
import { represent as representOf, type Representation } from '../http/representation'
import { HTML_SECURITY_HEADERS } from '../http/security'
import { FeedPreview, isBrowserNavigation } from '../pages/preview'

const NO_QUERY = new URLSearchParams()

/** The request's query; most requests have none, and skip parsing the URL. */
export function searchOf(c: Context): URLSearchParams {
  return c.req.url.includes('?') ? new URL(c.req.url).searchParams : NO_QUERY
}

/**
 * The representation a recipe names, through the one pipeline (memo, prebuilt, edge cache,
 * render): a memo hit costs a map lookup, whatever the archive's size. A miss that throws (an
 * unknown anchor: a 404 refusal) is not remembered.
 */
export function represent(c: Context<AppEnv>, recipe: Recipe): Promise<{ representation: Representation; source: CacheSource }> {
  return represented(c.var.herald, recipe, waitUntil(c))
}

function waitUntil(c: Context): WaitUntil {
  try {
    const ctx = c.executionCtx
    return (p) => ctx.waitUntil(p)
  } catch {
    return undefined // app.request() in tests outside workerd has no execution context
  }
}

/** WebSub §4's discovery links; only the first page is a topic the hub takes (as in buildFeed). */
function feedLinkHeader(hub: string, self: string, request: PageRequest): string {
  return request.kind === 'first' ? `<${hub}>; rel="hub", <${self}>; rel="self"` : `<${self}>; rel="self"`
}

/** Sends a listing's feed in the format its file name names. */
export async function sendFeed(c: Context<AppEnv>, listing: Listing | undefined, file: string): Promise<Response> {
  const format = formatOfFile(file)
  if (!listing || !format) throw notFound()
  const request = parsePageRequest(searchOf(c))
  const now = Date.now()
  if (!listing.isListed(now)) throw notFound()

  const { herald } = c.var
  const { archive, config } = herald
  const preview = isBrowserNavigation(c.req.raw.headers)
  const selfPath = feedPath(listing, format) + pageQuery(request)
  const feed = feedRecipe(herald, listing, format, request, now)
  const { representation, source } = await represent(
    c,
    preview
      ? {
          key: feedKey('preview', format, listing, request, epochOf(listing, now)),
          hot: feed.hot,
          render: async () => {
            const page: Page = await pageOf(listing, request, config.feedSize, now)
            return representOf(
              `<!doctype html>${String(<FeedPreview archive={archive} listing={listing} page={page} format={format} selfPath={selfPath} />)}`,
              'text/html; charset=utf-8',
              lastModifiedOf(listing, page),
            )
          },
        }
      : feed,
  )
  // Sent from the memo twice: from now on the URL is answered before routing, until the archive's next
  // scheduled or withdrawal instant changes what it names.
  if (!preview && source === 'memory' && c.req.method === 'GET') herald.fast.remember(c.req.url, 'feed', feed.key, source, archive.nextChangeAfter(now))
  // One header set per representation and source: `preview` and the page are in the memo key already.
  return send(c, representation, source, (t) => archive.lastChangeAtOrBefore(t), () => ({
    ...(preview && HTML_SECURITY_HEADERS),
    ...(!preview && { Link: feedLinkHeader(archive.link(HUB_PATH).url, archive.link(selfPath).url, request) }),
    'Cache-Control': config.feedCacheControl,
    // The same URL answers a browser navigation with a preview page: shared caches must key on it.
    Vary: 'Sec-Fetch-Mode, Sec-Fetch-Dest',
    // JSON Feed is read by browser apps; feeds are public documents.
    'Access-Control-Allow-Origin': '*',
    // A browser app reads the ETag to revalidate with: not a safelisted response header.
    'Access-Control-Expose-Headers': 'ETag, Link',
    'X-Content-Type-Options': 'nosniff',
    'X-Herald-Cache': source,
  }))
}
