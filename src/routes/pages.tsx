/**
 * @module
 * GET/HEAD of the HTML pages: rendered once per isolate and visibility epoch (or taken from the edge
 * cache), sent with validators.
 */
import type { Context } from 'hono'
import type { JSX } from 'hono/jsx/jsx-runtime'
import type { AppEnv } from '../app'
import type { Archive, Listing } from '../archive/archive'
import { epochOf, isListedAt, newestChangeAt } from '../archive/withdrawals'
import { lastModifiedOf } from '../feeds/build'
import { pageOf, pageQuery, parsePageRequest } from '../feeds/paging'
import { send } from '../http/conditional'
import { notFound } from '../http/errors'
import { represent as representOf } from '../http/representation'
import { HTML_SECURITY_HEADERS } from '../http/security'
import { renderOpml } from '../pages/opml'
import { IndexPage, ListingPage, WithdrawnPage } from '../pages/views'
import { FEEDS_PATH, LISTING_KINDS, type KindSegment } from '../site-map'
import { represent, searchOf } from './feeds'

const HTML = 'text/html; charset=utf-8'

/**
 * Sends a page through the pipeline (src/http/pipeline.ts): `key` names the page, and the epoch
 * (stories still scheduled) is added to it. `make` runs only on a miss, so reading the archive and
 * rendering are never per request. `hot` says whether the memo keeps it with the pages readers poll,
 * `edge` whether a new isolate asks the edge cache first.
 */
async function sendMemo(
  c: Context<AppEnv>,
  key: string,
  contentType: string,
  hot: boolean | (() => boolean),
  edge: boolean,
  make: (now: number) => Promise<{ body: string; lastModified: Date; status?: 410 }>,
  /** Articles: the same URL answers `Accept: application/activity+json` with the ActivityStreams object. */
  negotiated = false,
) {
  const { archive, config } = c.var.herald
  const now = Date.now()
  // Home lists every story: its epoch changes whenever any story goes live or is withdrawn.
  const epoch = epochOf(archive.home, now)
  // A `make` that finds nothing at the address throws notFound(): the 404 page, not remembered.
  const recipeKey = `${key} @${epoch}`
  const { representation, source } = await represent(c, {
    key: recipeKey,
    hot,
    edge,
    render: async () => {
      const { body, lastModified, status } = await make(now)
      return { ...(await representOf(body, contentType, lastModified)), ...(status && { status }) }
    },
  })
  // Sent from the memo: from now on answered before routing (src/http/fast-lane.ts) until the next instant.
  if (source === 'memory' && c.req.method === 'GET') c.var.herald.fast.remember(c.req.url, negotiated ? 'article' : 'page', recipeKey, 'page', archive.nextChangeAfter(now))
  return send(c, representation, 'page', (t) => archive.lastChangeAtOrBefore(t), () => ({
    ...(contentType === HTML && HTML_SECURITY_HEADERS),
    'Cache-Control': config.pageCacheControl,
    ...(negotiated && { Vary: 'Accept' }),
  }))
}

const html = (element: JSX.Element) => `<!doctype html>${String(element)}`

/** The newest published change of the whole site. */
function siteLastModified(archive: Archive, now: number): Date {
  return newestChangeAt(archive.home, now) ?? new Date(0)
}

/** Listing pages take the feeds' paging parameters and ignore any other (shared links carry tracking tags). */
export async function listingPage(c: Context<AppEnv>, listing: Listing | undefined): Promise<Response> {
  // A tag or author whose stories are all withdrawn has no page (its feeds stay, empty, for their subscribers).
  if (!listing || !isListedAt(listing, Date.now())) throw notFound()
  const search = new URLSearchParams([...searchOf(c)].filter(([k]) => ['before', 'after', 'page', 'offset'].includes(k)))
  const request = parsePageRequest(search)
  const { archive, config } = c.var.herald
  return sendMemo(c, `listing ${listing.key}${pageQuery(request)}`, HTML, request.kind === 'first', true, async (now) => {
    const page = await pageOf(listing, request, config.feedSize, now)
    return { body: html(<ListingPage archive={archive} listing={listing} page={page} />), lastModified: lastModifiedOf(listing, page) }
  })
}

export async function articlePage(c: Context<AppEnv>, slug: string): Promise<Response> {
  const { archive } = c.var.herald
  let recent = false
  return sendMemo(c, `article ${slug}`, HTML, () => recent, false, async (now) => {
    // Rendered at build time (src/build/pages.ts): the first request reads, it does not render.
    const page = await archive.page(slug, now)
    if (!page) throw notFound()
    recent = page.recent
    if (page.withdrawn) {
      // RFC 9110 §15.5.11: 410 Gone, "likely to be permanent"; the notice says when and why.
      const story = (await archive.story(slug, now))!
      return { body: html(<WithdrawnPage archive={archive} story={story} />), lastModified: story.withdrawn!.at, status: 410 }
    }
    return { body: page.html, lastModified: page.updated }
  }, true)
}

/** The published listings of a kind, by name; a tag or author whose stories are all withdrawn is not one. */
function published(listings: Iterable<Listing>, now: number): Listing[] {
  return [...listings].filter((l) => isListedAt(l, now)).sort((a, b) => a.name.localeCompare(b.name))
}

/** Every listing with a feed: home, sections, and the tags and authors with a published story. */
function allFeeds(archive: Archive, now: number): Listing[] {
  return [archive.home, ...archive.sections.values(), ...published(archive.tags.values(), now), ...published(archive.authors.values(), now)]
}

const INDEX_TITLES = {
  ...(Object.fromEntries(Object.values(LISTING_KINDS).map((k) => [k.segment, k.index])) as Record<KindSegment, string>),
  feeds: 'Feeds',
} as const

export async function indexPage(c: Context<AppEnv>, kind: keyof typeof INDEX_TITLES): Promise<Response> {
  const { archive } = c.var.herald
  return sendMemo(c, `index ${kind}`, HTML, true, false, async (now) => {
    const listings =
      kind === 'feeds' ? allFeeds(archive, now) : kind === 'sections' ? [...archive.sections.values()] : published(archive[kind].values(), now)
    return {
      body: html(<IndexPage archive={archive} title={INDEX_TITLES[kind]} path={kind === 'feeds' ? FEEDS_PATH : `/${kind}`} listings={listings} />),
      lastModified: siteLastModified(archive, now),
    }
  })
}

export async function opml(c: Context<AppEnv>): Promise<Response> {
  const { archive } = c.var.herald
  return sendMemo(c, 'opml', 'text/x-opml; charset=utf-8', true, false, async (now) => {
    const lastModified = siteLastModified(archive, now)
    return { body: renderOpml(archive, allFeeds(archive, now), lastModified), lastModified }
  })
}
