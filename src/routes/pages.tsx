/**
 * @module
 * GET/HEAD of the HTML pages: rendered once per isolate and visibility epoch, sent with validators.
 */
import type { Context } from 'hono'
import type { JSX } from 'hono/jsx/jsx-runtime'
import type { AppEnv } from '../app'
import { scheduledCount, type Listing } from '../content/collection'
import { newestUpdate } from '../feeds/build'
import { pageQuery } from '../feeds/paging'
import { send } from '../http/conditional'
import { represent } from '../http/representation'
import { HTML_SECURITY_HEADERS } from '../http/security'
import { renderOpml } from '../pages/opml'
import { ArticlePage, IndexPage, ListingPage } from '../pages/views'
import { isListed } from '../feeds/paging'
import { requestedPage } from './feeds'

const HTML = 'text/html; charset=utf-8'

/** Sends a memoised page: `key` names the page, and the epoch (stories still scheduled) is added to it. */
async function sendMemo(c: Context<AppEnv>, key: string, contentType: string, lastModified: Date, render: () => string) {
  const { collection, config, memo } = c.var.herald
  const epoch = scheduledCount(collection.stories, Date.now())
  const { representation } = await memo.get(`${key} @${epoch}`, () => represent(render(), contentType, lastModified))
  return send(c, representation, { ...(contentType === HTML && HTML_SECURITY_HEADERS), 'Cache-Control': config.pageCacheControl })
}

const html = (element: JSX.Element) => () => `<!doctype html>${String(element)}`

/** Listing pages take the feeds' paging parameters and ignore any other (shared links carry tracking tags). */
export async function listingPage(c: Context<AppEnv>, listing: Listing | undefined): Promise<Response | undefined> {
  if (!listing) return undefined
  const url = new URL(c.req.url)
  const search = new URLSearchParams([...url.searchParams].filter(([k]) => ['before', 'after', 'page', 'offset'].includes(k)))
  const page = requestedPage(c, listing, search)
  if (page instanceof Response) return page
  if (!isListed(listing, page)) return undefined
  const { collection } = c.var.herald
  return sendMemo(c, `listing ${listing.key}${pageQuery(page.request)}`, HTML, newestUpdate(page.stories) ?? new Date(0),
    html(<ListingPage collection={collection} listing={listing} page={page} />))
}

export async function articlePage(c: Context<AppEnv>, slug: string): Promise<Response | undefined> {
  const { collection } = c.var.herald
  const story = collection.story(slug, Date.now())
  if (!story) return undefined
  return sendMemo(c, `article ${slug}`, HTML, story.updated, html(<ArticlePage collection={collection} story={story} />))
}

/** The published listings of a kind, by name. */
function published(listings: Iterable<Listing>, now: number): Listing[] {
  return [...listings].filter((l) => scheduledCount(l.stories, now) < l.stories.length).sort((a, b) => a.name.localeCompare(b.name))
}

export async function indexPage(c: Context<AppEnv>, kind: 'sections' | 'tags' | 'authors' | 'feeds'): Promise<Response> {
  const { collection } = c.var.herald
  const now = Date.now()
  const listings =
    kind === 'feeds'
      ? [collection.home, ...collection.sections.values(), ...published(collection.tags.values(), now), ...published(collection.authors.values(), now)]
      : kind === 'sections'
        ? [...collection.sections.values()]
        : published(collection[kind].values(), now)
  const title = { sections: 'Sections', tags: 'Tags', authors: 'Authors', feeds: 'Feeds' }[kind]
  const lastModified = newestUpdate(collection.stories.slice(scheduledCount(collection.stories, now))) ?? new Date(0)
  return sendMemo(c, `index ${kind}`, HTML, lastModified, html(<IndexPage collection={collection} title={title} path={`/${kind}`} listings={listings} />))
}

export async function opml(c: Context<AppEnv>): Promise<Response> {
  const { collection } = c.var.herald
  const now = Date.now()
  const listings = [collection.home, ...collection.sections.values(), ...published(collection.tags.values(), now), ...published(collection.authors.values(), now)]
  const lastModified = newestUpdate(collection.stories.slice(scheduledCount(collection.stories, now))) ?? new Date(0)
  return sendMemo(c, 'opml', 'text/x-opml; charset=utf-8', lastModified, () => renderOpml(collection, listings, lastModified))
}
