/**
 * @module
 * A page of a listing's feed, in one format, as a representation ready to send.
 */
import type { Archive, Listing } from '../archive/archive'
import { epochOf } from '../archive/withdrawals'
import type { Herald } from '../herald'
import type { Recipe } from '../http/pipeline'
import { represent, type Representation } from '../http/representation'
import { buildFeed, deletedEntries, FORMATS, lastModifiedOf, type Format } from './build'
import type { Story } from '../content/story'
import { cutItem, cutItems, spliceItems } from './fragments'
import { renderJsonFeed } from './json-feed'
import { pageOf, type Page, type PageRequest } from './paging'
import { feedKey } from './topics'
import { renderAtom, renderRss } from './xml'

/** A page of a listing's feed, every item through `feed` (or only `stories`, see buildFeed). */
export function renderFeed(archive: Archive, listing: Listing, page: Page, format: Format, stories: readonly Story[] = page.stories): string {
  const feed = buildFeed(archive, listing, page, format, stories)
  switch (format) {
    case 'rss':
      return renderRss(feed)
    case 'atom':
      return renderAtom(feed, deletedEntries(page))
    case 'json':
      return renderJsonFeed(feed)
  }
}

/** The build's rendering of a listing's first feed page, when it still holds (src/build/prerender.ts). */
export async function prerenderedFeed(archive: Archive, listing: Listing, format: Format, feedSize: number, now: number): Promise<Representation | undefined> {
  const made = await archive.prerendered(listing, format, feedSize, now)
  if (!made) return undefined
  return { bytes: made.bytes, contentType: FORMATS[format].contentType, etag: made.etag, lastModified: new Date(made.lastModified) }
}

/**
 * A page as sent: its first item through `feed`, the others spliced in from the build's item
 * fragments when the archive has them for this origin (src/feeds/fragments.ts), else all through `feed`.
 */
export async function feedRepresentation(archive: Archive, listing: Listing, page: Page, format: Format): Promise<Representation> {
  const [first, ...rest] = page.stories
  const items = first && rest.length > 0 ? await archive.itemFragments(rest, format) : undefined
  const body = items ? spliceItems(format, renderFeed(archive, listing, page, format, [first!]), items) : renderFeed(archive, listing, page, format)
  return represent(body, FORMATS[format].contentType, lastModifiedOf(listing, page))
}

/**
 * Every story's item in `format` (the build's fragments): cut from `feed`'s rendering of them all,
 * or when that cut is not certain, each from `feed`'s rendering of it alone.
 */
export function renderItemFragments(archive: Archive, listing: Listing, page: Page, format: Format): string[] {
  const none = renderFeed(archive, listing, page, format, [])
  if (page.stories.length === 0) return []
  const all = cutItems(format, none, renderFeed(archive, listing, page, format, page.stories), page.stories.length)
  return all ?? page.stories.map((story) => cutItem(format, none, renderFeed(archive, listing, page, format, [story])))
}

/**
 * How a page of a listing's feed is made, for the routes and the hub alike (src/http/pipeline.ts):
 * the first page from the build when it holds, any page from the edge cache or rendered. The key
 * names how many of the listing's stories are still scheduled and how many are withdrawn: a story
 * going live or being withdrawn makes a new key.
 */
export function feedRecipe(herald: Herald, listing: Listing, format: Format, request: PageRequest, now: number): Recipe {
  const { archive, config } = herald
  return {
    key: feedKey('feed', format, listing, request, epochOf(listing, now)),
    hot: request.kind === 'first',
    ...(request.kind === 'first' && { prebuilt: () => prerenderedFeed(archive, listing, format, config.feedSize, now) }),
    render: async () => feedRepresentation(archive, listing, await pageOf(listing, request, config.feedSize, now), format),
  }
}
