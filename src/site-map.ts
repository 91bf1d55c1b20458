/**
 * @module
 * The site map: every address Herald serves, and every name derived from one. Listing kinds and
 * their path prefixes, the slug rules, page and feed titles, feed ids and the table of feed
 * formats are written here once; the routes, the archive (reader and compiler), the collection,
 * the aliases, OPML, the page layout and the WebSub topics all read them from here.
 */

/** What a listing lists: the whole site, one section, one tag, one author. */
export type ListingKind = 'home' | 'section' | 'tag' | 'author'

/** The kinds with an address of their own under a prefix: `/sections/<key>`, `/tags/<slug>`, `/authors/<key>`. */
export const LISTING_KINDS = {
  section: { segment: 'sections', index: 'Sections' },
  tag: { segment: 'tags', index: 'Tags' },
  author: { segment: 'authors', index: 'Authors' },
} as const satisfies Record<Exclude<ListingKind, 'home'>, { segment: string; index: string }>

export type PrefixedKind = keyof typeof LISTING_KINDS
/** `sections`, `tags`, `authors`: the first path segment of a kind, and the name of its index page. */
export type KindSegment = (typeof LISTING_KINDS)[PrefixedKind]['segment']

export const SEGMENT_KINDS = Object.fromEntries(
  (Object.keys(LISTING_KINDS) as PrefixedKind[]).map((kind) => [LISTING_KINDS[kind].segment, kind]),
) as Record<KindSegment, PrefixedKind>

/** The three formats: file name, media type (as RFC 4287, RSS and JSON Feed register them), labels. */
export const FORMATS = {
  rss: { file: 'feed.xml', type: 'application/rss+xml', contentType: 'application/rss+xml; charset=utf-8', label: 'RSS' },
  atom: { file: 'atom.xml', type: 'application/atom+xml', contentType: 'application/atom+xml; charset=utf-8', label: 'Atom' },
  json: { file: 'feed.json', type: 'application/feed+json', contentType: 'application/feed+json; charset=utf-8', label: 'JSON Feed' },
} as const

export type Format = keyof typeof FORMATS
export const FORMAT_NAMES = Object.keys(FORMATS) as Format[]

const FILE_FORMATS = Object.fromEntries(FORMAT_NAMES.map((f) => [FORMATS[f].file, f])) as Record<string, Format>

/** The format a feed file name names (`atom.xml` → atom). */
export function formatOfFile(file: string): Format | undefined {
  return Object.hasOwn(FILE_FORMATS, file) ? FILE_FORMATS[file] : undefined
}

/** Where the WebSub hub takes subscriptions. */
export const HUB_PATH = '/hub'
export const ICON_PATH = '/icon.svg'
/** The icon as a PNG: what Mastodon takes as an avatar (src/pages/icon-png.ts). */
export const ICON_PNG_PATH = '/icon.png'
export const FEEDS_PATH = '/feeds'
export const OPML_PATH = '/feeds.opml'

export const ARTICLES_PATH = '/articles'

/** An article's address. */
export function articlePath(slug: string): string {
  return `${ARTICLES_PATH}/${encodeURIComponent(slug)}`
}

/** The index of a kind: `/sections`, `/tags`, `/authors`. */
export function indexPath(kind: PrefixedKind): string {
  return `/${LISTING_KINDS[kind].segment}`
}

/** A listing's page: `/` for home, `/sections/news`, `/tags/central-asia`. */
export function listingPath(kind: ListingKind, slug: string): string {
  return kind === 'home' ? '/' : `${indexPath(kind)}/${encodeURIComponent(slug)}`
}

/** The path of a listing's feed: `/feed.xml` for the home page, `/sections/news/feed.xml` for a section. */
export function feedPath(listing: { path: string }, format: Format): string {
  return (listing.path === '/' ? '/' : `${listing.path}/`) + FORMATS[format].file
}

/** Stable key of a listing, used in memo keys: `home`, `section/news`, `tag/russia`. */
export function listingKey(kind: ListingKind, slug: string): string {
  return kind === 'home' ? 'home' : `${kind}/${slug}`
}

/**
 * A feed-level permanent id, minted from the site's tag authority like the stories' ids. RFC 4151
 * §2.1 allows only URI characters in the specific part, so the slug is percent-encoded (a tag's
 * slug may hold any letter).
 */
export function feedId(idAuthority: string, kind: ListingKind, slug: string): string {
  return `tag:${idAuthority}:feed/${kind === 'home' ? 'home' : `${kind}/${encodeURIComponent(slug)}`}`
}

/** Page and feed title: the site's own for home, "News · Herald" for the others. */
export function listingTitle(kind: ListingKind, name: string, siteTitle: string): string {
  return kind === 'home' ? siteTitle : `${name} · ${siteTitle}`
}

/** The description of a tag's or an author's listing (sections and home have their own). */
export function listingDescription(kind: 'tag' | 'author', name: string): string {
  return kind === 'tag' ? `Stories tagged “${name}”.` : `Stories by ${name}.`
}

/**
 * The rule for keys an editor writes (article slugs, section and author keys): lowercase ASCII
 * letters and digits in hyphen-separated runs. Never empty, never a dot-segment.
 */
export const KEY_SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/

/**
 * A tag's URL segment, derived from its name and nothing else, so it is the same in every build
 * and for every article: compatibility-folded (NFKC), lowercase, every run of characters that are
 * not letters, marks or digits one hyphen, no hyphen at either end. So case, spacing and
 * punctuation do not make two tags, and a slug is never a dot-segment (`.`, `..` give `''`, which
 * the content check refuses). Empty when the name has no letter or digit.
 */
export function tagSlug(name: string): string {
  return name.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, '-').replace(/^-+|-+$/g, '')
}

/** A path one of the listings' addresses: its kind and slug, and the feed file if it is a feed. */
export interface ListingAddress {
  kind: ListingKind
  /** Decoded slug; `''` for home. */
  slug: string
  /** The last segment after the listing (`feed.xml`, `rss`, …), if any. */
  file?: string
}

const LISTING_ADDRESS = new RegExp(`^(?:/(${Object.keys(SEGMENT_KINDS).join('|')})/([^/]+))?(?:/([^/]+))?$`)

/** Reads a path as a listing's address (or a file under it); undefined for other paths. */
export function parseListingPath(pathname: string): ListingAddress | undefined {
  if (pathname === '/') return { kind: 'home', slug: '' }
  const m = LISTING_ADDRESS.exec(pathname)
  if (!m) return undefined
  if (!m[1]) return m[3] === undefined ? { kind: 'home', slug: '' } : { kind: 'home', slug: '', file: m[3] }
  let slug: string
  try {
    slug = decodeURIComponent(m[2]!)
  } catch {
    return undefined
  }
  const kind = SEGMENT_KINDS[m[1] as KindSegment]
  return m[3] === undefined ? { kind, slug } : { kind, slug, file: m[3] }
}
