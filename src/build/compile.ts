/**
 * @module
 * Content modules → compiled archive (src/archive/format.ts). Runs at build time in Node
 * (scripts/build-archive.ts) and, for tests, inside workerd: the same code either way. The
 * in-memory Collection does the resolving, cleaning, sorting and grouping; this module lays its
 * result out in files.
 */
import { dateline, datelinesOf } from '../pages/dateline'
import type { Content } from '../content/article'
import { Collection, type Story } from './collection'
import {
  ARCHIVE_FORMAT,
  ARCHIVE_ORIGIN,
  BLOCK_SIZE,
  CHUNK_SIZE,
  chunkMembers,
  isSparse,
  KEYS_PER_SHARD,
  paths,
  recordsFile,
  SCHEDULE_MARGIN_MS,
  shardOf,
  type KeyShard,
  type ListingKind,
  type ListingMeta,
  type Manifest,
  type StoryRecord,
} from '../archive/format'
import type { ReadFile } from '../archive/archive'
import { renderItemFiles } from './items'
import { renderArticlePages } from './pages'
import { prerenderFeeds } from './prerender'
import { withdrawalRecords, withdrawnPositions } from './withdrawals'

/** Receives each file of the archive once, with its SHA-256 (hex) when the layout made one; the manifest comes last. */
export type ArchiveSink = (path: string, text: string, digest?: string) => void | Promise<void>

export interface CompileOptions {
  /**
   * Also render every listing's first feed page for this origin and feed size
   * (src/build/prerender.ts); they are read back through `readBack`.
   */
  prerender?: { origin: string; feedSize: number }
  /** Build instant: stories after it (less a margin) are recorded as possibly scheduled. */
  builtAt: Date
  /**
   * The digest of a file's text, for the sink and the manifest's fingerprint: SHA-256 (hex). A
   * layout made only to render pages and items from (the build threads', scripts/lib/cache/stories.ts),
   * whose files and fingerprint are never kept, passes one that names none.
   */
  digest?: (text: string) => string | Promise<string>
}

/**
 * Compiles `content` into archive files, handing each to `sink`; returns the manifest. `readBack`
 * reads what `sink` was given: article pages and prerendered feeds are rendered by the Worker's own
 * code over the files just written.
 */
export async function compileArchive(content: Content, options: CompileOptions, sink: ArchiveSink, readBack: ReadFile): Promise<Manifest> {
  return layoutArchive(new Collection(content, ARCHIVE_ORIGIN), options, sink, readBack)
}

/** What the layout reads of a story: the record itself is made by `blocks` (default: `storyRecord`). */
export type IndexedStory = Pick<Story, 'id' | 'slug' | 'anchor' | 'published' | 'updated' | 'withdrawn'> & { authors: readonly Pick<Story['authors'][number], 'key' | 'homepage'>[] }

/** A listing as the layout reads it. */
export interface IndexedGroup<S extends IndexedStory> {
  name: string
  description: string
  stories: readonly S[]
}

/**
 * The collection as the layout reads it: a `Collection` is one, and so is the incremental build's
 * index of cached stories (scripts/lib/cache/), which has no bodies.
 */
export interface ArchiveIndex<S extends IndexedStory> {
  site: Manifest['site']
  /** Newest first, scheduled ones included, drafts left out. */
  stories: readonly S[]
  home: IndexedGroup<S>
  sections: ReadonlyMap<string, IndexedGroup<S>>
  tags: ReadonlyMap<string, IndexedGroup<S>>
  authors: ReadonlyMap<string, IndexedGroup<S>>
}

/**
 * How story blocks are made, for an index that does not hold the stories themselves: `reused`
 * gives the digest of a block the last build wrote with exactly these stories (the file is kept,
 * no text made); otherwise `put` puts the block in place itself, or `text` gives its JSON.
 */
export interface BlockMaker<S> {
  reused?(n: number, stories: readonly S[]): string | undefined
  text?(stories: readonly S[]): string | Promise<string>
  /**
   * Puts `stories/<n>.txt` in place itself, from the bytes it has (the build cache's packs hold
   * each record as UTF-8), and gives the file's SHA-256: no text is made of it.
   */
  put?(n: number, stories: readonly S[]): Promise<string>
  /** Likewise `pages/<n>.txt`, from pages rendered story by story (the build cache's); else they are rendered here. */
  putPages?(n: number, stories: readonly S[]): Promise<void>
  /** `items/<n>.txt` of these stories for `origin`, when already rendered story by story; else it is rendered here. */
  items?(stories: readonly S[], origin: string): string | undefined
  /**
   * Puts a sparse listing's `chunks/<n>-<k>.txt` in place itself (these stories' records, laid out
   * as a block), or keeps it when the last build wrote it with the same stories; else `text` makes it.
   */
  putChunk?(path: string, stories: readonly S[]): Promise<void>
}

/** What the last build already wrote as this build would write it: kept, not rendered again (an incremental build's). */
export interface Reuse<S> {
  /** Listing `n`'s prerendered feeds. */
  feeds(n: number, meta: ListingMeta, stories: readonly S[]): boolean
  /** A file made beside story block `n` (`pages/<n>.txt`, `items/<n>.txt`), for a manifest like this one. */
  blockFile(path: string, n: number, stories: readonly S[], manifest: Manifest): boolean
}

const recordBlocks: BlockMaker<Story> = { text: (stories) => recordsFile(stories.map((s) => JSON.stringify(storyRecord(s)))) }

/** Lays `collection` out in archive files (see compileArchive). */
export async function layoutArchive<S extends IndexedStory>(
  collection: ArchiveIndex<S>,
  options: CompileOptions,
  sink: ArchiveSink,
  readBack: ReadFile,
  blocks: BlockMaker<S> = recordBlocks as unknown as BlockMaker<S>,
  reuse?: Reuse<S>,
): Promise<Manifest> {
  const { stories } = collection
  // Story numbers count from the oldest story, so that a deploy with new stories leaves every full
  // block as it was: only changed files are uploaded, whatever the archive's size.
  const oldestFirst = [...stories].reverse()
  const ordOf = new Map<S, number>(oldestFirst.map((s, i) => [s, i]))
  const horizon = options.builtAt.getTime() - SCHEDULE_MARGIN_MS
  const digests = new Map<string, string>()
  const hash = options.digest ?? sha256
  const writeText = async (path: string, text: string) => {
    const digest = await hash(text)
    digests.set(path, digest)
    await sink(path, text, digest)
  }
  const write = (path: string, value: unknown) => writeText(path, JSON.stringify(value))

  const blockStories: S[][] = []
  for (let start = 0; start < oldestFirst.length; start += BLOCK_SIZE) {
    const n = start / BLOCK_SIZE
    const members = oldestFirst.slice(start, start + BLOCK_SIZE)
    blockStories.push(members)
    const kept = blocks.reused?.(n, members)
    if (kept) digests.set(paths.block(n), kept)
    else if (blocks.put) digests.set(paths.block(n), await blocks.put(n, members))
    else if (blocks.text) await writeText(paths.block(n), await blocks.text(members))
    else throw new Error('layout: the block maker has no way to make a block')
  }

  // A power of two: the shard of a key changes only when the archive doubles.
  const keyShards = 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil((stories.length * 2) / KEYS_PER_SHARD))))
  const shards: KeyShard[] = Array.from({ length: keyShards }, () => ({}))
  for (const [ord, s] of oldestFirst.entries()) {
    for (const key of [`s:${s.slug}`, `a:${s.anchor}`]) shards[shardOf(key, keyShards)]![key] = ord
  }
  for (const [n, shard] of shards.entries()) await write(paths.keys(n), shard)

  const listings: [ListingKind, string, IndexedGroup<S>][] = [
    ['home', '', collection.home],
    ...[...collection.sections].map(([k, l]): [ListingKind, string, IndexedGroup<S>] => ['section', k, l]),
    // By key, so that a listing keeps its number (and its files) from one build to the next.
    ...[...collection.tags].sort(byKey).map(([k, l]): [ListingKind, string, IndexedGroup<S>] => ['tag', k, l]),
    ...[...collection.authors].sort(byKey).map(([k, l]): [ListingKind, string, IndexedGroup<S>] => ['author', k, l]),
  ]
  const withdrawals = withdrawalRecords(oldestFirst)
  const metas: ListingMeta[] = []
  for (const [n, [kind, slug, listing]] of listings.entries()) {
    const ords = kind === 'home' ? undefined : ordsOf(listing.stories, ordOf)
    if (ords) await write(paths.listing(n), ords)
    const chunks = ords && isSparse(ords) ? Math.ceil(ords.length / CHUNK_SIZE) : 0
    for (let k = 0; k < chunks; k++) {
      const members = chunkMembers(listing.stories, k)
      if (blocks.putChunk) await blocks.putChunk(paths.chunk(n, k), members)
      else if (blocks.text) await writeText(paths.chunk(n, k), await blocks.text(members))
      else throw new Error('layout: the block maker has no way to make a chunk')
    }
    const homepage = kind === 'author' ? collection.authors.get(slug)?.stories[0]?.authors.find((a) => a.key === slug)?.homepage : undefined
    metas.push({
      kind,
      slug,
      name: listing.name,
      description: listing.description,
      ...(homepage ? { homepage } : {}),
      ...summaryOf(listing.stories, horizon),
      ...withdrawnPositions(listing.stories, withdrawals),
      ...(chunks > 0 && { chunks }),
    })
  }

  const manifest: Manifest = {
    format: ARCHIVE_FORMAT,
    builtAt: options.builtAt.toISOString(),
    fingerprint: await fingerprintOf({ stories: stories.length, blockSize: BLOCK_SIZE, keyShards, listings: metas }, (path) => digests.get(path)!),
    site: collection.site,
    stories: stories.length,
    blockSize: BLOCK_SIZE,
    keyShards,
    listings: metas,
    ...(withdrawals.list.length > 0 && { withdrawals: withdrawals.list }),
  }
  await sink(paths.manifest, JSON.stringify(manifest))
  // Article pages and feed items beside each block, unless the last build's are still right.
  const keptFiles = (path: (n: number) => string) => new Set(reuse ? blockStories.flatMap((members, n) => (reuse.blockFile(path(n), n, members, manifest) ? [n] : [])) : [])
  const pagesDone = keptFiles(paths.pages)
  if (blocks.putPages) {
    for (const [n, members] of blockStories.entries()) {
      if (pagesDone.has(n)) continue
      await blocks.putPages(n, members)
      pagesDone.add(n)
    }
  }
  await renderArticlePages(readBack, manifest, sink, pagesDone)
  if (!options.prerender) return manifest
  const origin = options.prerender.origin
  // Items the block maker has (rendered story by story, elsewhere) are written as it gives them; the rest rendered here.
  const itemsDone = keptFiles(paths.items)
  for (const [n, members] of blocks.items ? blockStories.entries() : []) {
    if (itemsDone.has(n)) continue
    const text = blocks.items!(members, origin)
    if (text === undefined) continue
    await sink(paths.items(n), text)
    itemsDone.add(n)
  }
  await renderItemFiles(readBack, manifest, origin, sink, itemsDone)
  const keptFeeds = new Set(reuse ? metas.flatMap((meta, n) => (reuse.feeds(n, meta, listings[n]![2].stories) ? [n] : [])) : [])
  const final = await prerenderFeeds(readBack, manifest, { ...options.prerender, builtAt: options.builtAt, keep: keptFeeds, itemsInPlace: true }, sink)
  await sink(paths.manifest, JSON.stringify(final))
  return final
}

/** Compiles into memory: the archive as a map of path → text (tests, and small tools). */
export async function compileToMap(content: Content, options: CompileOptions): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  await compileArchive(content, options, (path, text) => void files.set(path, text), async (path) => files.get(path))
  return files
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0)

/** Each story's number. A loop, not a closure per call: the build threads lay out an archive per batch (see validate.ts `articleProblems`). */
function ordsOf<S>(stories: readonly S[], ordOf: ReadonlyMap<S, number>): number[] {
  const ords: number[] = []
  for (const s of stories) ords.push(ordOf.get(s)!)
  return ords
}

/** One story as the archive stores it: the per-story product of the build, which the incremental build caches as it is. */
export function storyRecord(s: Story): StoryRecord {
  return {
    id: s.id,
    slug: s.slug,
    headline: s.headline,
    dek: s.dek,
    section: s.section.key,
    tags: s.tags.map((t) => t.name),
    authors: s.authors.map((a) => a.key),
    published: s.published.getTime(),
    updated: s.updated.getTime(),
    timeZone: s.timeZone,
    language: s.language,
    ...(s.image ? { image: s.image } : {}),
    html: s.html,
    datelines: datelinesOf(s),
    ...(s.withdrawn && { withdrawn: { at: s.withdrawn.at.getTime(), reason: s.withdrawn.reason, dateline: dateline(s.withdrawn.at, s.timeZone) } }),
  }
}

/** Head, newest-from and oldest of a newest-first list of stories (see ListingMeta). */
function summaryOf(stories: readonly Pick<Story, 'published' | 'updated'>[], horizon: number): Pick<ListingMeta, 'count' | 'head' | 'newest' | 'oldest'> {
  let h = 0
  while (h < stories.length && stories[h]!.published.getTime() > horizon) h++
  // Suffix maxima of `updated`, kept for the positions a scheduled count can take (0 … h).
  const newest: (number | null)[] = new Array<number | null>(h + 1).fill(null)
  let max: number | null = null
  for (let i = stories.length - 1; i >= 0; i--) {
    const t = stories[i]!.updated.getTime()
    if (max === null || t > max) max = t
    if (i <= h) newest[i] = max
  }
  return {
    count: stories.length,
    head: stories.slice(0, h).map((s) => s.published.getTime()),
    newest,
    oldest: stories.length ? stories.at(-1)!.published.getTime() : null,
  }
}

/**
 * The manifest's fingerprint: a hash of the digests of the story blocks, key shards and listing
 * files (the home listing has none), in that order — what a worker's keys are made of.
 */
export async function fingerprintOf(layout: Pick<Manifest, 'stories' | 'blockSize' | 'keyShards'> & { listings: readonly { kind: ListingKind }[] }, digest: (path: string) => string): Promise<string> {
  const lines: string[] = []
  for (let n = 0; n * layout.blockSize < layout.stories; n++) lines.push(`${paths.block(n)} ${digest(paths.block(n))}`)
  for (let n = 0; n < layout.keyShards; n++) lines.push(`${paths.keys(n)} ${digest(paths.keys(n))}`)
  layout.listings.forEach((l, n) => l.kind !== 'home' && lines.push(`${paths.listing(n)} ${digest(paths.listing(n))}`))
  return (await sha256(lines.join('\n'))).slice(0, 24)
}

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
}
