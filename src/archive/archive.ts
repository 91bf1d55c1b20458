/**
 * @module
 * The compiled archive as the routes see it: the site, its listings (home, sections, tags, authors)
 * and their stories, read on demand from the files `npm run build` wrote (src/archive/format.ts).
 * Opening reads only the manifest; a page reads the few story blocks it shows. Parsed files are
 * kept per isolate within a byte budget, and what the routes render from them is memoised above this.
 */
import type { Site } from '../content/article'
import { ByteLru, type LruStats } from '../http/budget'
import { ArchiveError, parseArchiveJson } from './errors'
import { anchorOf, tagSlug, type AuthorRef, type Link, type SectionRef, type Story, type TagRef } from '../content/story'
import { fillItem } from '../feeds/fragments'
import { articlePath, listingKey, listingPath, listingTitle } from '../site-map'
import {
  ARCHIVE_FORMAT,
  ARCHIVE_ORIGIN,
  chunkOf,
  parseItemFile,
  parsePrerenderedBytes,
  paths,
  shardOf,
  type KeyShard,
  type ListingKind,
  type ListingMeta,
  type ItemIndex,
  type Manifest,
  type PageRecord,
  type RecordsFile,
  recordOf,
  parseRecordsFile,
  type PrerenderedRepresentation,
  type StoryRecord,
} from './format'
import { listingWithdrawals, withdrawnCount, type ListingWithdrawal } from './withdrawals'

/**
 * Reads one archive file by path; undefined when there is none. `bytes`, when given, reads it
 * undecoded (a prerendered feed is sent as it is stored).
 */
export type ReadFile = ((path: string) => Promise<string | undefined>) & { bytes?: (path: string) => Promise<Uint8Array<ArrayBuffer> | undefined> }

/** A titled list of stories, newest first, with its own page and feeds. */
export interface Listing extends Link {
  kind: ListingKind
  /** Section key, tag slug or author key; `''` for home. */
  slug: string
  /** Stable key, used in memo keys: `home`, `section/news`, `tag/russia` (site-map.ts). */
  key: string
  /** Short name: "News", "Russia", "Herald Newsroom"; the site title for the home page. */
  name: string
  /** Page and feed title: "News · Herald". */
  title: string
  description: string
  /** Stories, scheduled ones included. */
  count: number
  /** How many of the first stories are scheduled after `now`: the rest are published. */
  scheduledCount(now: number): number
  /** The newest `updated` of the stories from position `k` on (k at most the scheduled count). */
  newestUpdateFrom(k: number): Date | undefined
  /** Whether the listing exists at `now`: home and sections always, a tag or author once a story of it is out. */
  isListed(now: number): boolean
  /** Where the story with this paging anchor sits in the listing, if it is in it. */
  positionOf(anchor: string): Promise<number | undefined>
  /** Stories at positions [start, end). */
  slice(start: number, end: number): Promise<Story[]>
  /** The paging anchor of the story at a position. */
  anchorAt(position: number): Promise<string>
  /** The listing's withdrawn stories, by position, whether or not in effect yet (src/archive/withdrawals.ts). */
  withdrawals: readonly ListingWithdrawal[]
}

export { ArchiveError }

const MiB = 2 ** 20

/**
 * Bytes of archive files an isolate keeps, counted as the files' length: story blocks and pages
 * files as their bytes (a record is parsed when asked for), key shards, listings' story lists and
 * item files parsed (their strings are one byte a character). A block is about 160 KB.
 */
export const ARCHIVE_FILE_BUDGET = 8 * MiB

/** Item files a feed page may read for its items; a page whose items lie in more renders them all. */
export const MAX_ITEM_FILES = 4

/** Articles among the newest this many are "recent": their pages are kept with the hot ones. */
export const RECENT_STORIES = 200

/** Reads in flight within one caller's parallel lookups, by path (never shared between requests). */
type Batch = Map<string, Promise<unknown>>

interface Parsed {
  value: unknown
  weight: number
}

export class Archive {
  readonly site: Site
  /** The site's origin, without a trailing slash: `https://herald.example.com`. */
  readonly origin: string
  /** SHA-256 of the archive's files, computed at build time. */
  readonly fingerprint: string
  readonly builtAt: Date
  readonly home: Listing
  readonly sections: ReadonlyMap<string, Listing>
  readonly tags: ReadonlyMap<string, Listing>
  readonly authors: ReadonlyMap<string, Listing>
  readonly #manifest: Manifest
  readonly #read: ReadFile
  readonly #sectionRefs = new Map<string, SectionRef>()
  readonly #authorRefs = new Map<string, AuthorRef>()
  /** Tag name → slug, from the manifest's tag listings; and the tags resolved so far. */
  readonly #tagSlugs = new Map<string, string>()
  readonly #tagRefs = new Map<string, TagRef>()
  // Parsed files by path, within a byte budget, least recently used out first. Records are
  // resolved into stories one by one, when asked for: a sparse tag's page uses one story a block.
  readonly #files: ByteLru<Parsed>
  /** Story numbers of the stories read, for their item fragments. */
  readonly #ords = new WeakMap<Story, number>()
  /** Each listing's number in the manifest, for its files. */
  readonly #numbers = new Map<Listing, number>()
  /** What replaces BUILD_LINK in item HTML: this site's origin, in an attribute value. */
  readonly #link: string

  /** Opens the archive: reads and checks the manifest, nothing else. */
  static async open(read: ReadFile, origin: string, fileBudget = ARCHIVE_FILE_BUDGET): Promise<Archive> {
    const text = await read(paths.manifest)
    if (text === undefined) throw new ArchiveError('no compiled archive (manifest.json): run `npm run build` before serving')
    const manifest = parseArchiveJson<Manifest>(paths.manifest, text)
    if (typeof manifest !== 'object' || manifest === null || !Array.isArray(manifest.listings) || typeof manifest.site !== 'object') {
      throw new ArchiveError(`archive file ${paths.manifest} is damaged (not an archive manifest): run \`npm run build\``)
    }
    if (manifest.format !== ARCHIVE_FORMAT) {
      throw new ArchiveError(`archive format ${manifest.format}, this worker reads ${ARCHIVE_FORMAT}: run \`npm run build\``)
    }
    return new Archive(manifest, read, origin, new ByteLru<Parsed>(fileBudget, (p) => p.weight))
  }

  /**
   * The same archive as seen from another origin, sharing its parsed files (they hold no origin:
   * item HTML links against ARCHIVE_ORIGIN until a story is resolved). The build renders a batch's
   * pages at ARCHIVE_ORIGIN and its items at the prerender origin, and parsed each block twice.
   */
  forOrigin(origin: string): Archive {
    return new Archive(this.#manifest, this.#read, origin, this.#files)
  }

  private constructor(manifest: Manifest, read: ReadFile, origin: string, files: ByteLru<Parsed>) {
    this.#files = files
    this.#manifest = manifest
    this.#read = read
    this.site = manifest.site
    this.origin = origin
    this.#link = `="${origin}/`
    this.fingerprint = manifest.fingerprint
    this.builtAt = new Date(manifest.builtAt)
    const byKind = { section: new Map<string, Listing>(), tag: new Map<string, Listing>(), author: new Map<string, Listing>() }
    let home: Listing | undefined
    manifest.listings.forEach((meta, n) => {
      const listing = this.#listing(meta, n)
      this.#numbers.set(listing, n)
      if (meta.kind === 'home') home = listing
      else byKind[meta.kind].set(meta.slug, listing)
      if (meta.kind === 'tag') this.#tagSlugs.set(meta.name, meta.slug)
      if (meta.kind === 'section') this.#sectionRefs.set(meta.slug, { key: meta.slug, name: meta.name, description: meta.description, ...this.link(listing.path) })
      if (meta.kind === 'author') {
        this.#authorRefs.set(meta.slug, { key: meta.slug, name: meta.name, ...(meta.homepage ? { homepage: meta.homepage } : {}), ...this.link(listing.path) })
      }
    })
    if (!home) throw new ArchiveError('archive manifest has no home listing: run `npm run build`')
    this.home = home
    this.sections = byKind.section
    this.tags = byKind.tag
    this.authors = byKind.author
  }

  /** A path on this site with its absolute URL. */
  link(path: string): Link {
    return { path, url: this.origin + path }
  }

  /** A story by slug, if it is published at `now`. */
  async story(slug: string, now: number): Promise<Story | undefined> {
    const ord = await this.#ordOf(`s:${slug}`)
    if (ord === undefined) return undefined
    const story = await this.#storyAt(ord)
    return story.published.getTime() <= now ? story : undefined
  }

  /**
   * An article's page as the build rendered it, if the story is published at `now`: the document
   * with this site's origin in its links, its Last-Modified, whether it is among the recent, and
   * whether it is withdrawn at `now` (then the page must not be sent).
   */
  async page(slug: string, now: number): Promise<{ html: string; updated: Date; recent: boolean; withdrawn: boolean } | undefined> {
    const ord = await this.#ordOf(`s:${slug}`)
    if (ord === undefined) return undefined
    const { blockSize, stories } = this.#manifest
    const n = Math.floor(ord / blockSize)
    const path = paths.pages(n)
    const page = recordOf<PageRecord>(path, await this.#records(path), ord - n * blockSize)
    if (!page || typeof page.html !== 'string') throw new ArchiveError(`archive file ${path} has no page for story ${ord}: run \`npm run build\``)
    if (page.published > now) return undefined
    // The manifest's short list says whether it is withdrawn by now: its page then is the notice, not this.
    const withdrawn = this.#manifest.withdrawals?.some((w) => w.ord === ord && w.at <= now) ?? false
    return { html: page.html.replaceAll(BUILD_LINK, this.#link), updated: new Date(page.updated), recent: ord >= stories - RECENT_STORIES, withdrawn }
  }

  /**
   * The build's items (src/feeds/fragments.ts) of stories `slice()` or `story()` gave, in a format;
   * undefined when the build made none for this origin, or when they lie in more than
   * MAX_ITEM_FILES item files (then the caller renders every item).
   */
  async itemFragments(stories: readonly Story[], format: 'rss' | 'atom' | 'json'): Promise<string[] | undefined> {
    const target = this.#manifest.prerendered
    if (!target?.items || target.origin !== this.origin) return undefined
    const { blockSize } = this.#manifest
    const ords = stories.map((story) => {
      const ord = this.#ords.get(story)
      if (ord === undefined) throw new Error('archive: itemFragments of a story it did not give')
      return ord
    })
    // A dense listing's page (home, a section) lies in two or three blocks; a sparse tag's would
    // read an item file for each story, more than rendering them costs.
    if (new Set(ords.map((ord) => Math.floor(ord / blockSize))).size > MAX_ITEM_FILES) return undefined
    const batch: Batch = new Map()
    return Promise.all(
      ords.map(async (ord, i) => {
        const n = Math.floor(ord / blockSize)
        const { index, text } = await this.#file<{ index: ItemIndex; text: string }>(paths.items(n), parseItemFile, batch)
        const at = index[format]?.[ord - n * blockSize]
        if (!at) throw new ArchiveError(`archive file ${paths.items(n)} has no ${format} item for story ${ord}: run \`npm run build\``)
        return fillItem(format, text.slice(at[0], at[1]), at[2], stories[i]!.html)
      }),
    )
  }

  /**
   * The first instant after `now` at which what some URL shows can change without a deploy: a
   * scheduled story going live (every one is in the home listing's head) or a withdrawal taking
   * effect. Infinity when there is none.
   */
  nextChangeAfter(now: number): number {
    let next = Infinity
    for (const t of this.#manifest.listings[0]!.head) if (t > now && t < next) next = t
    for (const w of this.#manifest.withdrawals ?? []) if (w.at > now && w.at < next) next = w.at
    return next
  }

  /**
   * The last instant not after `now` at which what some URL shows could have changed: the build
   * (every edit comes with a deploy), a scheduled story going live or a withdrawal taking effect.
   * The Last-Modified of a representation whose own is still to come (src/http/conditional.ts).
   */
  lastChangeAtOrBefore(now: number): number {
    let last = this.builtAt.getTime()
    for (const t of this.#manifest.listings[0]!.head) if (t <= now && t > last) last = t
    for (const w of this.#manifest.withdrawals ?? []) if (w.at <= now && w.at > last) last = w.at
    return Math.min(last, now)
  }

  /** The file cache's own accounting. */
  fileStats(): LruStats {
    return this.#files.stats()
  }

  /**
   * The first page of a listing's feed as the build rendered it, when the build rendered it for this
   * origin and feed size and the listing's scheduled stories are still the build's.
   */
  async prerendered(listing: Listing, format: 'rss' | 'atom' | 'json', feedSize: number, now: number): Promise<PrerenderedRepresentation | undefined> {
    const target = this.#manifest.prerendered
    const n = this.#numbers.get(listing)
    if (!target || n === undefined || target.origin !== this.origin || target.feedSize !== feedSize || !target.listings.includes(n)) return undefined
    // Not kept: the caller memoises what it sends.
    const path = paths.feed(n, format)
    const stored = await this.#bytes(path)
    const parsed = stored && parsePrerenderedBytes(path, stored)
    if (!parsed) throw new ArchiveError(`archive file ${path} is missing or damaged: run \`npm run build\``)
    const { head, bytes } = parsed
    const holds = head.scheduled === listing.scheduledCount(now) && (head.withdrawn ?? 0) === withdrawnCount(listing, now)
    return holds ? { bytes, etag: head.etag, lastModified: head.lastModified } : undefined
  }

  #listing(meta: ListingMeta, n: number): Listing {
    const path = listingPath(meta.kind, meta.slug)
    // Story numbers count from the oldest story: home position p is number (stories − 1 − p); any
    // other listing lists its numbers newest first, so in descending order.
    const last = this.#manifest.stories - 1
    const ords = (): Promise<number[]> | undefined => (meta.kind === 'home' ? undefined : this.#ordsOf(n))
    const ordAt = async (position: number) => {
      const list = ords()
      return list ? (await list)[position]! : last - position
    }
    return {
      ...this.link(path),
      kind: meta.kind,
      slug: meta.slug,
      key: listingKey(meta.kind, meta.slug),
      name: meta.name,
      title: listingTitle(meta.kind, meta.name, this.#manifest.site.title),
      description: meta.description,
      count: meta.count,
      scheduledCount: (now) => {
        let k = 0
        while (k < meta.head.length && meta.head[k]! > now) k++
        return k
      },
      newestUpdateFrom: (k) => {
        const t = meta.newest[Math.min(k, meta.newest.length - 1)]
        return t === null || t === undefined ? undefined : new Date(t)
      },
      isListed: (now) => meta.kind === 'home' || meta.kind === 'section' || (meta.oldest !== null && meta.oldest <= now),
      positionOf: async (anchor) => {
        const ord = await this.#ordOf(`a:${anchor}`)
        if (ord === undefined) return undefined
        const list = ords()
        if (!list) return last - ord
        const position = firstAtMost(await list, ord)
        return (await list)[position] === ord ? position : undefined
      },
      slice: async (start, end) => {
        const list = ords()
        const wanted = list ? (await list).slice(start, end) : Array.from({ length: Math.max(0, end - start) }, (_, i) => last - start - i)
        const batch: Batch = new Map()
        // A sparse listing's stories from its chunks: one or two files, not a block each.
        if (meta.chunks) return Promise.all(wanted.map((ord, i) => this.#chunkStoryAt(n, chunkOf(start + i, meta.count), ord, batch)))
        return Promise.all(wanted.map((ord) => this.#storyAt(ord, batch)))
      },
      anchorAt: async (position) => (await this.#storyAt(await ordAt(position))).anchor,
      withdrawals: listingWithdrawals(meta, this.#manifest),
    }
  }

  /**
   * A file as `load` reads and parses it (giving its weight too), kept within the budget. `batch`:
   * the reads of one caller's parallel lookups (a page's stories), so that one request reads a
   * block once however many of its stories it shows.
   */
  async #kept<T>(path: string, load: () => Promise<[value: T, weight: number]>, batch?: Batch): Promise<T> {
    const kept = this.#files.lookup(path)
    if (kept) return kept.value as T
    if (batch) {
      let reading = batch.get(path)
      if (!reading) batch.set(path, (reading = this.#kept(path, load)))
      return (await reading) as T
    }
    // Each request reads what it misses itself, even when another request is reading the same
    // file: an archive read is I/O of the request that started it, and sharing it in flight made
    // workerd fail others with "Cannot perform I/O on behalf of a different request" (seen in the
    // bench's 100,000-article crawl: 649 of 132,007 requests, none without the sharing).
    const [value, weight] = await load()
    this.#files.put(path, { value, weight })
    return value
  }

  /** A parsed archive file (JSON unless `parse` says otherwise), weighed by its text's length. */
  #file<T>(path: string, parse: (path: string, text: string) => unknown = parseArchiveJson, batch?: Batch): Promise<T> {
    return this.#kept(
      path,
      async () => {
        const text = await this.#read(path)
        if (text === undefined) throw missingFile(path)
        return [parse(path, text) as T, text.length]
      },
      batch,
    )
  }

  /** An archive file as bytes (encoded again when the reader has text only). */
  async #bytes(path: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    if (this.#read.bytes) return this.#read.bytes(path)
    const text = await this.#read(path)
    return text === undefined ? undefined : (new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>)
  }

  /** A records file (a story block, a pages file), kept as bytes: a record is decoded and parsed only when asked for. */
  #records(path: string, batch?: Batch): Promise<RecordsFile> {
    return this.#kept(
      path,
      async () => {
        const bytes = await this.#bytes(path)
        if (bytes === undefined) throw missingFile(path)
        return [parseRecordsFile(path, bytes), bytes.length]
      },
      batch,
    )
  }

  #ordsOf(n: number): Promise<number[]> {
    return this.#file<number[]>(paths.listing(n))
  }

  async #ordOf(key: string): Promise<number | undefined> {
    const keys = await this.#file<KeyShard>(paths.keys(shardOf(key, this.#manifest.keyShards)))
    return Object.hasOwn(keys, key) ? keys[key] : undefined
  }

  async #storyAt(ord: number, batch?: Batch): Promise<Story> {
    const { blockSize } = this.#manifest
    const n = Math.floor(ord / blockSize)
    const path = paths.block(n)
    const record = recordOf<StoryRecord>(path, await this.#records(path, batch), ord - n * blockSize)
    if (!record) throw new ArchiveError(`archive block ${path} has no story ${ord}: run \`npm run build\``)
    const story = this.#resolve(record)
    this.#ords.set(story, ord)
    return story
  }

  /** Story `ord`, as record `at` of listing `n`'s chunk `k` holds a copy of it. */
  async #chunkStoryAt(n: number, { k, at }: { k: number; at: number }, ord: number, batch: Batch): Promise<Story> {
    const path = paths.chunk(n, k)
    const record = recordOf<StoryRecord>(path, await this.#records(path, batch), at)
    if (!record) throw new ArchiveError(`archive file ${path} has no story ${ord}: run \`npm run build\``)
    const story = this.#resolve(record)
    this.#ords.set(story, ord)
    return story
  }

  /**
   * A story from its record, resolved as the stories of this archive's blocks are: the build
   * renders each story's page and items so, against a frame of the configuration alone
   * (scripts/lib/cache/stories.ts), without laying its batch out as an archive first.
   */
  resolveRecord(record: StoryRecord): Story {
    return this.#resolve(record)
  }

  /**
   * A tag by name, with the slug its listing in the manifest has (the build's check allows one
   * spelling per slug): a new isolate's first archive page resolves 50 stories' tags, and slugging
   * each (NFKC and a Unicode-property pattern, compiled on first use) cost it most of a millisecond.
   */
  #tagRef(name: string): TagRef {
    let ref = this.#tagRefs.get(name)
    if (!ref) {
      const slug = this.#tagSlugs.get(name) ?? tagSlug(name)
      this.#tagRefs.set(name, (ref = { name, slug, ...this.link(listingPath('tag', slug)) }))
    }
    return ref
  }

  #resolve(r: StoryRecord): Story {
    const section = this.#sectionRefs.get(r.section)
    if (!section) throw new ArchiveError(`archive story ${r.slug}: unknown section "${r.section}": run \`npm run build\``)
    return {
      id: r.id,
      anchor: anchorOf(r.id),
      slug: r.slug,
      ...this.link(articlePath(r.slug)),
      headline: r.headline,
      dek: r.dek,
      section,
      tags: r.tags.map((name) => this.#tagRef(name)),
      authors: r.authors.map((key) => this.#authorRefs.get(key) ?? { key, name: key, ...this.link(listingPath('author', key)) }),
      published: new Date(r.published),
      updated: new Date(r.updated),
      timeZone: r.timeZone,
      language: r.language,
      ...(r.image ? { image: r.image } : {}),
      html: r.html.replaceAll(BUILD_LINK, this.#link),
      ...(r.datelines && { datelines: r.datelines }),
      ...(r.withdrawn && { withdrawn: { at: new Date(r.withdrawn.at), reason: r.withdrawn.reason, dateline: r.withdrawn.dateline } }),
    }
  }
}

function missingFile(path: string): ArchiveError {
  return new ArchiveError(`archive file ${path} is missing: the archive is incomplete, run \`npm run build\``)
}

/**
 * Where markdown-it wrote a link made absolute at build time (see ARCHIVE_ORIGIN): an `href` or
 * `src` value. Only those: a link's title or an image's alt that an editor began with the same
 * text (`[x](/a "https://herald.invalid/x")`) is the editor's, and was rewritten to the site.
 */
const BUILD_LINK = new RegExp(`(?<= (?:href|src))="${ARCHIVE_ORIGIN.replaceAll('.', '\\.')}/`, 'g')

/** The first index whose value is ≤ `value` in a descending array. */
function firstAtMost(values: readonly number[], value: number): number {
  let lo = 0
  let hi = values.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (values[mid]! > value) lo = mid + 1
    else hi = mid
  }
  return lo
}
