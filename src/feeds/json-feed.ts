/**
 * @module
 * The one adapter from `feed`'s JSON Feed 1.0 to JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).
 * `feed` 6.0.0 writes version 1, a single `author` (the first), no `language` and no `hubs`, and
 * copies RSS extension objects into items. 1.1 replaces `author` with `authors` (an array) and adds
 * `language`; `hubs` lists WebSub hubs. Everything else is kept as `feed` wrote it.
 */
import type { Author, Feed, Item } from 'feed'

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1'

interface JsonAuthor {
  name?: string
  url?: string
}

function authors(list: readonly Author[] | undefined): JsonAuthor[] | undefined {
  if (!list?.length) return undefined
  return list.map((a) => ({ ...(a.name !== undefined && { name: a.name }), ...(a.link && { url: a.link }) }))
}

export function renderJsonFeed(feed: Feed): string {
  const v1 = JSON.parse(feed.json1()) as Record<string, unknown> & { items: Record<string, unknown>[] }
  const { version: _v1, author: _first, items, ...top } = v1
  const { options: o } = feed
  const out = {
    version: JSON_FEED_VERSION,
    ...top,
    ...(o.favicon && { favicon: o.favicon }),
    ...(o.language && { language: o.language }),
    ...(o.author && { authors: authors([o.author]) }),
    // JSON Feed's only paging link: "the URL of a feed that provides the next n items".
    ...(o.feedLinks?.next && { next_url: o.feedLinks.next }),
    // "the only way a JSON Feed is discovered" by WebSub subscribers, beside the Link header.
    ...(o.hub && { hubs: [{ type: 'WebSub', url: o.hub }] }),
    items: [] as Record<string, unknown>[],
  }
  // A loop and a function of the module's, not a closure per call (see xml.ts `copyFeed`).
  for (const [i, item] of items.entries()) out.items.push(jsonItem(item, feed.items[i]!))
  return JSON.stringify(out)
}

/** One item of `feed`'s JSON Feed 1.0 as 1.1 has it, from what `feed` was given (`source`). */
function jsonItem(item: Record<string, unknown>, source: Item): Record<string, unknown> {
  // Drop the single `author` and the RSS-only extension objects ("media:content", …).
  const kept: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(item)) if (key !== 'author' && !key.includes(':')) kept[key] = value
  return {
    ...kept,
    // `feed` drops an empty title or tag and writes `summary` only beside content; keep them as given.
    title: source.title,
    // Each name once (the schema's uniqueItems): a tag may be named like the story's section.
    ...(source.category && { tags: [...new Set(source.category.map((c) => c.name ?? ''))] }),
    ...(source.description !== undefined && { summary: source.description }),
    ...(source.author?.length && { authors: authors(source.author) }),
  }
}
