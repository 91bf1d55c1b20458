/**
 * @module
 * One listing → one `feed` Feed: the single data model that the three formats render.
 * Strings here are plain, clean text (src/feeds/sanitize.ts); how each format escapes them is
 * the adapters' business (xml.ts, json-feed.ts). Nothing here reads the clock: `updated` is the
 * newest story's date, so the same content always renders the same bytes.
 */
import { Feed, type Item } from 'feed'
import type { Archive, Listing } from '../archive/archive'
import { latestWithdrawal } from '../archive/withdrawals'
import type { Story } from '../content/story'
import { feedId as siteFeedId, feedPath, FORMATS, HUB_PATH, ICON_PATH, indexPath, type Format } from '../site-map'
import { pageQuery, type Page } from './paging'
import type { DeletedEntry } from './xml'

export { feedPath, FORMATS, HUB_PATH, type Format }

export const MEDIA_RSS_NS = 'http://search.yahoo.com/mrss/'

/** Scheme IRIs for categories (Atom `category/@scheme`, RSS `category/@domain`). */
export function categorySchemes(archive: Archive) {
  return { sections: archive.link(indexPath('section')).url, tags: archive.link(indexPath('tag')).url }
}

/** A feed-level permanent id, minted from the site's tag authority like the stories' ids. */
export function feedId(archive: Archive, listing: Listing): string {
  return siteFeedId(archive.site.idAuthority, listing.kind, listing.slug)
}

/** RFC 5005 link relations, kept in `feedLinks` beside the formats' self links. */
export const PAGE_RELATIONS = ['first', 'last', 'next', 'previous'] as const

/**
 * The page's feed; `stories`, when given, are the items it holds instead of the page's own (the
 * first of them only, when the others are spliced in from the build: src/feeds/fragments.ts).
 */
export function buildFeed(archive: Archive, listing: Listing, page: Page, format: Format, stories: readonly Story[] = page.stories): Feed {
  const self = (f: Format) => archive.link(feedPath(listing, f) + pageQuery(page.request)).url
  const relation = (rel: (typeof PAGE_RELATIONS)[number]) => {
    const target = page.links[rel]
    return target && archive.link(feedPath(listing, format) + pageQuery(target)).url
  }
  const feed = new Feed({
    id: feedId(archive, listing),
    title: listing.title,
    description: listing.description,
    link: listing.url,
    language: archive.site.language,
    copyright: archive.site.copyright,
    generator: 'Herald',
    updated: lastModifiedOf(listing, page),
    favicon: archive.link(ICON_PATH).url,
    // WebSub (src/websub/): Herald is its own hub, for the feed itself. An archive page is a
    // fixed slice, never published to, so the hub refuses it as a topic: it names no hub.
    ...(page.request.kind === 'first' && { hub: archive.link(HUB_PATH).url }),
    author: { name: archive.site.title, link: archive.home.url },
    feedLinks: {
      rss: self('rss'),
      atom: self('atom'),
      json: self('json'),
      ...Object.fromEntries(PAGE_RELATIONS.map((rel) => [rel, relation(rel)])),
    },
  })
  const schemes = categorySchemes(archive)
  for (const story of stories) feed.addItem(buildItem(story, schemes))
  return feed
}

/**
 * The newest change a page shows (for an empty page, the listing's newest published change), or
 * the newest withdrawal in effect if later: a story leaving is a change, and If-Modified-Since must see it.
 */
export function lastModifiedOf(listing: Listing, page: Page): Date {
  const shown = newestUpdate(page.stories) ?? listing.newestUpdateFrom(page.scheduled) ?? new Date(0)
  const withdrawn = latestWithdrawal(page.withdrawn)
  return withdrawn && withdrawn > shown ? withdrawn : shown
}

/**
 * The tombstones of a page (Atom's `at:deleted-entry`, src/feeds/xml.ts): the listing's withdrawn
 * stories, on its first page, which is what readers poll and subscribers receive. RSS 2.0 and JSON
 * Feed 1.1 have no such vocabulary: there the item is simply gone.
 */
export function deletedEntries(page: Page): DeletedEntry[] {
  if (page.request.kind !== 'first') return []
  return page.withdrawn.map((w) => ({ ref: w.id, when: new Date(w.at), comment: w.reason }))
}

export function newestUpdate(stories: readonly Story[]): Date | undefined {
  let newest: Date | undefined
  for (const s of stories) if (!newest || s.updated > newest) newest = s.updated
  return newest
}

function buildItem(story: Story, schemes: { sections: string; tags: string }): Item {
  const file = story.image?.file
  return {
    id: story.id,
    title: story.headline,
    link: story.url,
    description: story.dek,
    content: story.html,
    date: story.updated,
    published: story.published,
    author: story.authors.map((a) => ({ name: a.name, link: a.url })),
    category: [
      { name: story.section.name, term: story.section.key, scheme: schemes.sections, domain: schemes.sections },
      ...story.tags.map((t) => ({ name: t.name, term: t.slug, scheme: schemes.tags, domain: schemes.tags })),
    ],
    ...(file && {
      image: { url: file.url, type: file.type, length: file.bytes, title: file.alt },
      // Media RSS 1.5.1: caption and credit travel with the image itself. RSS only; Atom and
      // JSON Feed readers get them from the figure in the item HTML.
      extensions: [
        {
          name: 'media:content',
          objects: {
            _attributes: {
              'xmlns:media': MEDIA_RSS_NS,
              url: file.url,
              type: file.type,
              medium: 'image',
              fileSize: file.bytes,
              width: file.width,
              height: file.height,
            },
            'media:description': { _attributes: { type: 'plain' }, _text: story.image!.caption },
            'media:credit': { _text: story.image!.credit },
          },
        },
      ],
    }),
  }
}
