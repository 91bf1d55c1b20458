/**
 * @module
 * Feed items rendered once, at build time, and spliced into a page rendered at run time.
 *
 * `feed` writes a page's items last: in RSS at the end of `<channel>`, in Atom at the end of
 * `<feed>`, in our JSON Feed as the last member. Each item's text depends only on its story (and
 * the origin its links are made against), never on its neighbours. So a page of N stories is
 * `feed`'s own rendering of the page with its first story only, with the other N − 1 items
 * inserted before the closing tail, and that is byte for byte what `feed` makes of all N
 * (tests/worker/properties.test.ts holds it for any content). An archive page then costs one item
 * through `feed` instead of fifty, which is what a new isolate's first archive page spends its CPU on.
 *
 * Items are cut out by the same rule: what a document of a block's stories has beyond the
 * zero-story one, before the tail, split where each item begins (`cutItems`), or, when that split
 * is not certain, what a one-story document has (`cutItem`). Anything else differing is refused,
 * loudly, at build. An item is kept without its story's HTML (`itemTemplate`), which the story's
 * block holds; `fillItem` puts it back.
 */
import type { ItemTemplate } from '../archive/format'
import type { Format } from './build'
import { escapeCdata } from './sanitize'

/** Where a document's items end: the text after the last item. */
const TAILS: Record<Format, string> = {
  rss: '\n    </channel>\n</rss>',
  atom: '\n</feed>',
  json: ']}',
}

/** What comes between items (after the first). */
const SEPARATORS: Record<Format, string> = { rss: '', atom: '', json: ',' }

/** The root element's start, after which a zero-story and a one-story document agree until the items (RSS adds namespaces for content). */
const BODY_START: Record<Format, string> = { rss: '<channel>', atom: '<feed', json: '' }

/**
 * The item of `one` (a document with one story), given `none` (the same page with no story).
 * Throws when the two differ anywhere but in the items: then splicing would not be `feed`'s output.
 */
export function cutItem(format: Format, none: string, one: string): string {
  const tail = TAILS[format]
  const start = BODY_START[format]
  const bodyNone = none.slice(none.indexOf(start))
  const bodyOne = one.slice(one.indexOf(start))
  const head = bodyNone.slice(0, bodyNone.length - tail.length)
  // JSON: the empty list is `[]`; the one-story list is `[` + item + `]`.
  if (!bodyNone.endsWith(tail) || !bodyOne.endsWith(tail) || !bodyOne.startsWith(head) || bodyOne.length <= bodyNone.length) {
    throw new Error(`feed fragments: a one-story ${format} document is not the empty one plus an item`)
  }
  return bodyOne.slice(head.length, bodyOne.length - tail.length)
}

/** How each item begins as `feed` writes it (after the separator): markup no item text can hold escaped as it is. */
const ITEM_STARTS: Record<Format, string> = { rss: '\n        <item>', atom: '\n    <entry>', json: '{"id":' }

/**
 * The items of `many` (a document with `count` stories), given `none` (the same page with no
 * story), cut where each begins; undefined when the cut is not certain — when the item start is
 * found more or less often than `count` times (a story's text that holds it, unescaped, as CDATA
 * may) — and then the caller cuts each from a document of its own (`cutItem`).
 */
export function cutItems(format: Format, none: string, many: string, count: number): string[] | undefined {
  const region = cutItem(format, none, many)
  const start = ITEM_STARTS[format]
  const separator = SEPARATORS[format]
  const at: number[] = []
  for (let i = region.indexOf(start); i >= 0; i = region.indexOf(start, i + 1)) {
    if (i === 0 || region.slice(i - separator.length, i) === separator) at.push(i)
  }
  if (at.length !== count || at[0] !== 0) return undefined
  return at.map((from, k) => region.slice(from, k + 1 < count ? at[k + 1]! - separator.length : region.length))
}

/**
 * A story's HTML as an item holds it: in RSS and Atom the text of a CDATA section (src/feeds/xml.ts),
 * in JSON Feed a JSON string's content. Escaping is per character: the same HTML, the same text.
 */
export function contentText(format: Format, html: string): string {
  return format === 'json' ? JSON.stringify(html).slice(1, -1) : escapeCdata(html)
}

/** The item without `html` (its last occurrence as the format escapes it), for `fillItem` to put back. */
export function itemTemplate(format: Format, item: string, html: string): ItemTemplate {
  const content = contentText(format, html)
  const hole = content.length > 0 ? item.lastIndexOf(content) : -1
  return hole < 0 ? { text: item, hole: -1 } : { text: item.slice(0, hole) + item.slice(hole + content.length), hole }
}

/** The item a template was made from, given the same story's HTML. */
export function fillItem(format: Format, template: string, hole: number, html: string): string {
  return hole < 0 ? template : template.slice(0, hole) + contentText(format, html) + template.slice(hole)
}

/** `first` (a page rendered with its first story only) with `rest` (the other stories' items) inserted. */
export function spliceItems(format: Format, first: string, rest: readonly string[]): string {
  const tail = TAILS[format]
  if (!first.endsWith(tail)) throw new Error(`feed fragments: a ${format} document does not end as feed writes it`)
  if (rest.length === 0) return first
  const separator = SEPARATORS[format]
  return `${first.slice(0, first.length - tail.length)}${separator}${rest.join(separator)}${tail}`
}
