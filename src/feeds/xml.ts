/**
 * @module
 * The one layer around `feed` for RSS 2.0 and Atom 1.0. `feed` decides the structure; this module
 * decides the escaping, because `feed` 6.0.0 (through xml-js 1.6.11) gets it wrong:
 *
 * - only the first `]]>` of a CDATA section is split, so a second one ends the section early;
 * - attribute values are written with only `"` escaped (`<` and `&` raw in RSS category domain,
 *   enclosure title; `<` raw in Atom category label and term);
 * - text nodes are "desanitised" first (`&amp;` → `&`), so the text `&amp;` reads back as `&`;
 * - RSS `<author>` gets a bare name, where RSS 2.0 wants an e-mail address;
 * - the Atom enclosure type is guessed from the URL's extension (`image/jpg`), with no way to set it.
 *
 * - Atom `title` and `summary` are declared `type="html"`, though ours are plain text: a reader
 *   must then unescape them twice, and readers disagree on `&lt;` in a title.
 *
 * Every string is therefore handed to `feed` as an opaque slot token — `\u0001<n>\u0001` — and
 * after rendering each token is replaced by its value escaped for the context it landed in. A
 * token cannot be confused with content by construction: U+0001 is a character XML forbids, every
 * text value reaches `feed` only as a token, and every other value `feed` writes is a URL in the
 * WHATWG serialiser's spelling (src/build/normalise.ts), a date or a number, none of which can
 * hold a control character. A value holding U+0001 is refused when it is slotted, and `resolve`
 * refuses output with a marker it did not make.
 */
import { Feed, type Author, type Category, type Extension, type FeedOptions, type Item } from 'feed'
import { PAGE_RELATIONS } from './build'
import { escapeCdata, escapeHtml, escapeXmlAttribute, escapeXmlText, xmlJsText } from './sanitize'
import { serializeXml } from './xml-js'

export const DUBLIN_CORE_NS = 'http://purl.org/dc/elements/1.1/'

/** Values handed to `feed` as tokens, resolved after rendering. */
class Slots {
  readonly #values: string[] = []
  /** Atom enclosure tokens whose following `type` attribute must be replaced by the real MIME type. */
  readonly #types = new Map<number, string>()
  /** Serialised elements to insert after the element whose text is the token. */
  readonly #following = new Map<number, string>()
  /** Tokens of plain text in an element that `feed` declares `type="html"`: the declaration becomes `type="text"`. */
  readonly #plain = new Set<number>()

  #token(value: string): string {
    // Resolving inserts values and then scans again; a value holding the marker character could
    // be read as a token there. Content never holds one (normalise.ts removes controls), so this
    // only stops a caller that skipped the boundary.
    if (value.includes('\u0001')) throw new Error('feed adapter: a value holds U+0001, the slot marker character')
    return `\u0001${this.#values.push(value) - 1}\u0001`
  }
  cdata(text: string): string {
    return this.#token(escapeCdata(text))
  }
  text(text: string): string {
    return this.#token(escapeXmlText(text))
  }
  attribute(text: string): string {
    return this.#token(escapeXmlAttribute(text))
  }
  /** An Atom enclosure `title` that also carries the enclosure's real `type`. */
  enclosureTitle(title: string, type: string): string {
    const token = this.attribute(title)
    this.#types.set(this.#values.length - 1, escapeXmlAttribute(type))
    return token
  }

  /** Plain text as the CDATA of an Atom text construct that `feed` writes as `type="html"`. */
  plainConstruct(text: string): string {
    const token = this.cdata(text)
    this.#plain.add(this.#values.length - 1)
    return token
  }

  /** Element text, with `fragment` (serialised XML) inserted after the element it lands in. */
  textThen(text: string, fragment: string): string {
    const token = this.text(text)
    this.#following.set(this.#values.length - 1, fragment)
    return token
  }

  resolve(xml: string): string {
    // Each special pass only when a token of its kind was made: a pass is a scan of the whole
    // document (270 KB for a page of fifty), and an RSS page needs none of the three.
    let resolved = xml
    if (this.#plain.size > 0) {
      resolved = resolved.replace(/type="html"><!\[CDATA\[\u0001(\d+)\u0001/g, (match, n: string) =>
        this.#plain.has(Number(n)) ? `type="text"><![CDATA[${this.#values[Number(n)]}` : match,
      )
    }
    if (this.#following.size > 0) {
      resolved = resolved.replace(/\u0001(\d+)\u0001(<\/[^>]+>)/g, (match, n: string, close: string) => {
        const fragment = this.#following.get(Number(n))
        return fragment === undefined ? match : `${this.#values[Number(n)]}${close}${fragment}`
      })
    }
    if (this.#types.size > 0) {
      resolved = resolved.replace(/\u0001(\d+)\u0001" type="[^"]*"/g, (match, n: string) => {
        const type = this.#types.get(Number(n))
        return type === undefined ? match : `${this.#values[Number(n)]}" type="${type}"`
      })
    }
    resolved = resolved.replace(/\u0001(\d+)\u0001/g, (_, n: string) => this.#values[Number(n)]!)
    // Values are escaped XML, which cannot hold U+0001: one left over was never a token.
    if (resolved.includes('\u0001')) throw new Error('feed adapter: a slot marker reached the output that no slot made')
    return resolved
  }
}

/** The value of an escaped context, for a field the format declares plain text or HTML. */
type FieldEscaper = (slots: Slots, value: string) => string

const plainCdata: FieldEscaper = (s, v) => s.cdata(v)
const htmlCdata: FieldEscaper = (s, v) => s.cdata(escapeHtml(v))

/** Options whose values `feed` writes as element text; links stay URLs (it parses them). */
function tokenizeOptions(slots: Slots, options: FeedOptions): FeedOptions {
  const text = (v: string | undefined) => (v === undefined ? undefined : slots.text(v))
  return {
    ...options,
    id: text(options.id),
    title: slots.text(options.title),
    description: text(options.description),
    copyright: text(options.copyright),
    language: text(options.language),
    image: text(options.image),
    favicon: text(options.favicon),
    generator: typeof options.generator === 'string' ? slots.text(options.generator) : options.generator,
    author: options.author && tokenizeAuthor(slots, options.author),
  }
}

function tokenizeAuthor(slots: Slots, author: Author): Author {
  return { ...author, name: author.name === undefined ? undefined : slots.text(author.name) }
}

/** RSS writes a category's name as element text and domain as an attribute; Atom writes name (label) and term as attributes. */
function tokenizeCategory(slots: Slots, c: Category, nameIn: 'text' | 'attribute'): Category {
  const attr = (v: string | undefined) => (v === undefined ? undefined : slots.attribute(v))
  const name = c.name === undefined ? undefined : nameIn === 'text' ? slots.text(c.name) : slots.attribute(c.name)
  return { ...c, name, domain: attr(c.domain), term: attr(c.term) }
}

/** Every `_text` and attribute value of an xml-js compact object (our Media RSS extension). */
function tokenizeCompact(slots: Slots, node: unknown): unknown {
  if (Array.isArray(node)) {
    const out: unknown[] = []
    for (const n of node) out.push(tokenizeCompact(slots, n))
    return out
  }
  if (node === null || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === '_text') out[key] = slots.text(String(value))
    else if (key === '_attributes') {
      const attributes: Record<string, string> = {}
      for (const [k, v] of Object.entries(value as object)) attributes[k] = slots.attribute(String(v))
      out[key] = attributes
    } else out[key] = tokenizeCompact(slots, value)
  }
  return out
}

/**
 * `source` with its values tokenized into `slots`, each item by `item`: a function of the module's,
 * not a closure made per render. V8 drops the optimised code of closures that died at each major
 * GC; the build renders every block's items, and compiled these again after every one.
 */
function copyFeed(source: Feed, options: FeedOptions, slots: Slots, item: (slots: Slots, i: Item) => Item, extensions: Extension[] = []): Feed {
  const copy = new Feed(options)
  for (const i of source.items) copy.addItem(item(slots, i))
  for (const e of extensions) copy.addExtension(e)
  return copy
}

/** RFC 5005 paging links present in the feed's options, as [rel, href]. */
function pageLinks(options: FeedOptions): [string, string][] {
  return PAGE_RELATIONS.flatMap((rel) => {
    const href = options.feedLinks?.[rel]
    return href ? [[rel, href] as [string, string]] : []
  })
}

/**
 * RSS 2.0 has no date for a correction: pubDate stays the first publication. `atom:updated` (the
 * Atom namespace is declared for atom:link anyway) carries it, as Atom's `updated` and JSON Feed's
 * `date_modified` do.
 */
function updated(item: Item): Extension {
  return { name: 'atom:updated', objects: { _text: item.date.toISOString() } }
}

/** RSS 2.0: title is plain text, description is the dek as HTML, names go in dc:creator. */
export function renderRss(source: Feed): string {
  const slots = new Slots()
  // `feed` writes only rel=self and rel=hub as atom:link; the channel's extension replaces that list.
  const atomLinks: Extension = {
    name: 'atom:link',
    objects: tokenizeCompact(slots, [
      { _attributes: { href: source.options.feedLinks?.rss, rel: 'self', type: 'application/rss+xml' } },
      ...(source.options.hub ? [{ _attributes: { href: source.options.hub, rel: 'hub' } }] : []),
      ...pageLinks(source.options).map(([rel, href]) => ({ _attributes: { href, rel, type: 'application/rss+xml' } })),
    ]) as Extension['objects'],
  }
  const feed = copyFeed(source, tokenizeOptions(slots, source.options), slots, rssItem, [atomLinks])
  return slots.resolve(feed.rss2())
}

/** An RSS item as `feed` is given it, its values tokenized into `slots` (renderRss). */
function rssItem(slots: Slots, item: Item): Item {
  const { author: _bareNames, image, ...rest } = item
  const creators: Extension[] = item.author?.length
    ? [{
        name: 'dc:creator',
        objects: item.author.map((a) => ({ _attributes: { 'xmlns:dc': DUBLIN_CORE_NS }, _text: a.name ?? '' })) as never,
      }]
    : []
  return {
    ...rest,
    title: plainCdata(slots, item.title),
    description: item.description === undefined ? undefined : htmlCdata(slots, item.description),
    content: item.content === undefined ? undefined : plainCdata(slots, item.content),
    guid: slots.text(item.guid ?? item.id ?? item.link),
    category: item.category?.map((c) => tokenizeCategory(slots, c, 'text')),
    // RSS 2.0 enclosure: url, length, type — nothing else; `feed` guesses type unless we set it.
    ...(typeof image === 'object' && { image: { url: image.url, type: image.type, length: image.length } }),
    extensions: [...creators, updated(item), ...(item.extensions ?? [])].map((e) => ({
      name: e.name,
      objects: tokenizeCompact(slots, e.objects) as Extension['objects'],
    })),
  }
}

/** RFC 6721 (Atom tombstones): `at:deleted-entry` says an entry of the feed is gone. */
export const TOMBSTONES_NS = 'http://purl.org/atompub/tombstones/1.0'

/** An entry that left the feed: its id, when, and the public reason (RFC 6721 §2: `ref`, `when`, `at:comment`). */
export interface DeletedEntry {
  ref: string
  when: Date
  comment: string
}

/**
 * Atom 1.0: title and summary are plain text (`type="text"`), content is the item HTML. `deleted`
 * entries are written as RFC 6721 tombstones among the feed's metadata, before the entries, where
 * the Atom schema allows foreign elements.
 */
export function renderAtom(source: Feed, deleted: readonly DeletedEntry[] = []): string {
  const slots = new Slots()
  const options = tokenizeOptions(slots, source.options)
  // `feed` has no way to add feed-level elements; paging links and tombstones follow <subtitle>, which is always there.
  const links = pageLinks(source.options)
  const fragments: string[] = []
  if (links.length > 0) fragments.push(serializeXml({ link: links.map(([rel, href]) => ({ _attributes: { rel, href, type: 'application/atom+xml' } })) }))
  if (deleted.length > 0) {
    fragments.push(serializeXml({
      'at:deleted-entry': deleted.map((d) => ({
        _attributes: { 'xmlns:at': TOMBSTONES_NS, ref: d.ref, when: d.when.toISOString() },
        'at:comment': { _attributes: { type: 'text' }, _text: xmlJsText(d.comment) },
      })),
    }))
  }
  if (fragments.length > 0) options.description = slots.textThen(source.options.description ?? '', fragments.join(''))
  const feed = copyFeed(source, options, slots, atomItem)
  return slots.resolve(feed.atom1())
}

/** An Atom entry as `feed` is given it, its values tokenized into `slots` (renderAtom). */
function atomItem(slots: Slots, item: Item): Item {
  return {
    ...item,
    title: slots.plainConstruct(item.title),
    description: item.description === undefined ? undefined : slots.plainConstruct(item.description),
    content: item.content === undefined ? undefined : plainCdata(slots, item.content),
    author: item.author?.map((a) => tokenizeAuthor(slots, a)),
    category: item.category?.map((c) => tokenizeCategory(slots, c, 'attribute')),
    image:
      typeof item.image === 'object'
        ? { ...item.image, title: slots.enclosureTitle(item.image.title ?? '', item.image.type ?? 'application/octet-stream') }
        : item.image,
    extensions: undefined,
  }
}
