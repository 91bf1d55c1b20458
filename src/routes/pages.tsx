/**
 * @module
 * GET/HEAD of the HTML pages: rendered once per isolate and visibility epoch, sent with validators.
 */
import type { Context } from 'hono'
import type { JSX } from 'hono/jsx/jsx-runtime'
import type { AppEnv } from '../app'
import { scheduledCount, type Collection, type Listing } from '../content/collection'
import { lastModifiedOf, newestUpdate } from '../feeds/build'
import { isListed, pageQuery } from '../feeds/paging'
import { send } from '../http/conditional'
import { represent } from '../http/representation'
import { HTML_SECURITY_HEADERS } from '../http/security'
import { renderOpml } from '../pages/opml'
import { ArticlePage, IndexPage, ListingPage } from '../pages/views'
import { requestedPage, searchOf } from './feeds'

const HTML = 'text/html; charset=utf-8'

/**
 * Sends a memoised page: `key` names the page, and the epoch (stories still scheduled) is added to
 * it. `make` runs only on a miss, so listing, sorting and rendering are never per request.
 */
async function sendMemo(c: Context<AppEnv>, key: string, contentType: string, make: () => { body: string; lastModified: Date }) {
  const { collection, config, memo } = c.var.herald
  const epoch = scheduledCount(collection.stories, Date.now())
  const { representation } = await memo.get(`${key} @${epoch}`, () => {
    const { body, lastModified } = make()
    return represent(body, contentType, lastModified)
  })
  return send(c, representation, { ...(contentType === HTML && HTML_SECURITY_HEADERS), 'Cache-Control': config.pageCacheControl })
}

const html = (element: JSX.Element) => `<!doctype html>${String(element)}`

/** The newest published change of the whole site. */
function siteLastModified(collection: Collection, now: number): Date {
  return newestUpdate(collection.stories.slice(scheduledCount(collection.stories, now))) ?? new Date(0)
}

/** Listing pages take the feeds' paging parameters and ignore any other (shared links carry tracking tags). */
export async function listingPage(c: Context<AppEnv>, listing: Listing | undefined): Promise<Response | undefined> {
  if (!listing) return undefined
  const search = new URLSearchParams([...searchOf(c)].filter(([k]) => ['before', 'after', 'page', 'offset'].includes(k)))
  const page = requestedPage(c, listing, search)
  if (page instanceof Response) return page
  if (!isListed(listing, page)) return undefined
  const { collection } = c.var.herald
  return sendMemo(c, `listing ${listing.key}${pageQuery(page.request)}`, HTML, () => ({
    body: html(<ListingPage collection={collection} listing={listing} page={page} />),
    lastModified: lastModifiedOf(listing, page),
  }))
}

export async function articlePage(c: Context<AppEnv>, slug: string): Promise<Response | undefined> {
  const { collection } = c.var.herald
  const story = collection.story(slug, Date.now())
  if (!story) return undefined
  return sendMemo(c, `article ${slug}`, HTML, () => ({ body: html(<ArticlePage collection={collection} story={story} />), lastModified: story.updated }))
}

/** The published listings of a kind, by name. */
function published(listings: Iterable<Listing>, now: number): Listing[] {
  return [...listings].filter((l) => scheduledCount(l.stories, now) < l.stories.length).sort((a, b) => a.name.localeCompare(b.name))
}

/** Every listing with a feed: home, sections, and the tags and authors with a published story. */
function allFeeds(collection: Collection, now: number): Listing[] {
  return [collection.home, ...collection.sections.values(), ...published(collection.tags.values(), now), ...published(collection.authors.values(), now)]
}

const INDEX_TITLES = { sections: 'Sections', tags: 'Tags', authors: 'Authors', feeds: 'Feeds' } as const

export async function indexPage(c: Context<AppEnv>, kind: keyof typeof INDEX_TITLES): Promise<Response> {
  const { collection } = c.var.herald
  return sendMemo(c, `index ${kind}`, HTML, () => {
    const now = Date.now()
    const listings =
      kind === 'feeds' ? allFeeds(collection, now) : kind === 'sections' ? [...collection.sections.values()] : published(collection[kind].values(), now)
    return {
      body: html(<IndexPage collection={collection} title={INDEX_TITLES[kind]} path={`/${kind}`} listings={listings} />),
      lastModified: siteLastModified(collection, now),
    }
  })
}

export async function opml(c: Context<AppEnv>): Promise<Response> {
  const { collection } = c.var.herald
  return sendMemo(c, 'opml', 'text/x-opml; charset=utf-8', () => {
    const now = Date.now()
    const lastModified = siteLastModified(collection, now)
    return { body: renderOpml(collection, allFeeds(collection, now), lastModified), lastModified }
  })
}
