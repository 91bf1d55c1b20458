/**
 * @module
 * The compiled archive: what `npm run build` (scripts/build-archive.ts) makes of the typed content
 * modules, and what the Worker reads through its `ARCHIVE` static-assets binding. Every sort, index
 * and Markdown render happens once, at build time; a request reads at most a few small files.
 *
 * Files (paths relative to the archive directory):
 * - `manifest.json`: site, listings (names, counts, the stories still scheduled at build time),
 *   sizes of the shards below, and the archive's fingerprint;
 * - `stories/<n>.txt`: stories number `n·blockSize … (n+1)·blockSize − 1`, each with its item
 *   HTML rendered. Numbers count from the oldest story (the home listing's last), so new stories
 *   fill the last block and start new ones: a deploy re-uploads only the files that changed. One
 *   line of JSON (each record's length in UTF-8 bytes), then the records' JSON one after another
 *   (`RecordsFile`): a worker decodes and parses the records it shows, not the block. A sparse
 *   tag's archive page shows one story from each of some 60 blocks; parsing them whole (10 MB of
 *   JSON) made its first request on a new isolate cost about 45 ms of CPU.
 * - `keys/<n>.json`: slug → story number and paging anchor → story number, sharded by hash into
 *   a power-of-two number of shards (a key moves only when the archive doubles);
 * - `listings/<n>.json`: the story numbers of listing `n` (sections, tags, authors), newest first.
 *   The home listing is every story, newest first, so it needs no file.
 * - `pages/<n>.txt`: the article pages of the stories in `stories/<n>.txt`, in the same order, each
 *   rendered whole at build time (`PageRecord`) with the instants a worker needs to send it, laid
 *   out as the block is (`RecordsFile`).
 *   An article request reads a key shard and this file, decodes and parses its own record only
 *   (not the block's 300 KB of escaped HTML), and renders nothing.
 * - `items/<n>.txt`: the feed items of the stories in `stories/<n>.txt` in RSS, Atom and JSON Feed,
 *   rendered by `feed` at build time for the prerender origin (src/feeds/fragments.ts): one line of
 *   JSON (`ItemIndex`: where each item is in what follows), then the items' text. A page of an
 *   archive feed is spliced from these, not rendered item by item. One file for the three formats:
 *   a file a format would put 100,000 stories near Cloudflare's 20,000 static files. Each item is
 *   kept without the story's HTML, which its block already holds: the worker puts it back, escaped
 *   as the format escapes it, at the item's hole (five copies of every story's HTML were 60% of the archive).
 * - `chunks/<n>-<k>.txt`: for a sparse listing only (`ListingMeta.chunks`), copies of its stories'
 *   records, CHUNK_SIZE to a file, counted from its oldest story (so a new story changes only the
 *   last chunk), oldest first, laid out as a block is. A tag whose stories lie one or two to a
 *   block would otherwise read a block for each story of an archive page: 51 blocks, 8.4 MB, at
 *   10,000 stories. A page reads one or two chunks instead; blocks stay what story numbers index.
 * - `feeds/<n>.<format>` (rss, atom, json): the first page of listing `n`'s feed in that format
 *   (what readers poll), rendered for one origin and feed size (`Manifest.prerendered`): one line
 *   of JSON (`PrerenderedHead`), then the body exactly as sent. A new isolate reads the one format
 *   asked for and parses a line, not a quarter-megabyte of escaped JSON string.
 *
 * Withdrawn stories (src/archive/withdrawals.ts) stay in their blocks, keys and listings; the
 * manifest lists them (`Manifest.withdrawals`, and each listing's positions of them), so a worker
 * hides them from their instant on without reading anything more. Both lists are absent when no
 * story is withdrawn.
 */
import type { LeadImage, Site, StoryId } from '../content/article'
import type { Datelines } from '../content/story'
import { ArchiveError, parseArchiveJson } from './errors'

/** Bumped when the layout changes: a worker refuses an archive of another format, loudly. */
export const ARCHIVE_FORMAT = 7

/** Stories per `stories/<n>.txt`: a 50-story page of the home feed reads two or three blocks. */
export const BLOCK_SIZE = 32

/** Records per `chunks/<n>-<k>.txt`: a 50-story page of a sparse listing reads one or two. */
export const CHUNK_SIZE = 64

/**
 * Whether a listing's archive pages read its chunks, not the blocks: when its stories lie in more
 * than 4 blocks (as many item files as a page splices from: src/archive/archive.ts), fewer than 8
 * to a block on average, so that a 50-story page would read more than six. Home and a large
 * section are dense and have none; a tag spread over the years has them.
 */
export function isSparse(ords: readonly number[]): boolean {
  const blocks = new Set<number>()
  for (const ord of ords) blocks.add(Math.floor(ord / BLOCK_SIZE))
  return blocks.size > 4 && blocks.size * 8 > ords.length
}

/** Chunk `k` of a listing's stories (or story numbers), given newest first: its members, oldest first. */
export function chunkMembers<T>(newestFirst: readonly T[], k: number): T[] {
  const end = newestFirst.length - k * CHUNK_SIZE
  return newestFirst.slice(Math.max(0, end - CHUNK_SIZE), end).reverse()
}

/** Listing positions (newest first, of `count`) → which chunk and which record in it. */
export function chunkOf(position: number, count: number): { k: number; at: number } {
  const fromOldest = count - 1 - position
  return { k: Math.floor(fromOldest / CHUNK_SIZE), at: fromOldest % CHUNK_SIZE }
}

/** Keys per `keys/<n>.json`, about: the shard count grows with the archive. */
export const KEYS_PER_SHARD = 512

/**
 * Stories published after (build time − this) count as possibly scheduled: the manifest keeps
 * their instants, so a worker whose clock is behind the build machine's still hides them.
 */
export const SCHEDULE_MARGIN_MS = 24 * 3600 * 1000

/**
 * The origin item HTML is rendered against at build time. The archive does not depend on
 * `SITE_URL` (one build serves `wrangler dev` on any port and every environment): the Worker puts
 * its own origin in place of this one, in `href` and `src` values only (` href="https://herald.invalid/`),
 * where markdown-it writes the links it made absolute; text cannot contain `="` unescaped, and a
 * title or alt the editor began with this origin is another attribute.
 * `.invalid` is reserved (RFC 2606), so no real link is ever rewritten.
 */
export const ARCHIVE_ORIGIN = 'https://herald.invalid'

import type { ListingKind } from '../site-map'
export type { ListingKind }

export interface ListingMeta {
  kind: ListingKind
  /** Section key, tag slug or author key; `''` for home. */
  slug: string
  name: string
  description: string
  /** An author's own page elsewhere. */
  homepage?: string
  /** Stories in the listing, scheduled ones included. */
  count: number
  /**
   * Published instants (ms) of the listing's first stories — those that may still be scheduled at
   * run time. The count of them after `now` is the listing's scheduled count.
   */
  head: number[]
  /**
   * `newest[k]`: the newest `updated` instant (ms) of the listing's stories from position k on,
   * for k = 0 … head.length; `null` when there are none (an empty listing).
   */
  newest: (number | null)[]
  /** Published instant of the listing's oldest story: a tag or author exists once it has passed. */
  oldest: number | null
  /**
   * The listing's withdrawn stories: [position in the listing, index in `Manifest.withdrawals`],
   * by position. Absent when it has none.
   */
  withdrawn?: [number, number][]
  /** Files of `chunks/<n>-<k>.txt` (k = 0 … chunks − 1), for a sparse listing (`isSparse`); absent otherwise. */
  chunks?: number
}

/** A withdrawn story, as the manifest lists it: what a worker needs to hide it and announce it. */
export interface WithdrawalRecord {
  /** Story number. */
  ord: number
  id: StoryId
  /** When it takes effect (ms). */
  at: number
  reason: string
}

export interface Manifest {
  format: typeof ARCHIVE_FORMAT
  builtAt: string
  /** SHA-256 of every other file of the archive: part of the edge-cache key. */
  fingerprint: string
  site: Site
  stories: number
  blockSize: number
  keyShards: number
  /** `listings[0]` is home; then sections (in content/sections.ts order), tags, authors. */
  listings: ListingMeta[]
  /** Every withdrawn story, by story number; absent when there is none. */
  withdrawals?: WithdrawalRecord[]
  /**
   * Feeds rendered at build time, for this origin and feed size only; any other renders on demand.
   * `items`: the item files (`items/<n>.txt`) are there, for this origin.
   */
  prerendered?: { origin: string; feedSize: number; listings: number[]; items?: boolean }
}

/**
 * The first line of `feeds/<n>.<format>`: the ETag and date a worker would make for the body that
 * follows, valid while `scheduled` of the listing's stories are still scheduled and `withdrawn`
 * (absent: none) of them are withdrawn.
 */
export interface PrerenderedHead {
  scheduled: number
  withdrawn?: number
  etag: string
  lastModified: string
}

/** A representation as the build rendered it: exactly the bytes, ETag and date a worker would make. */
export interface PrerenderedRepresentation {
  /** The body as sent, UTF-8. */
  bytes: Uint8Array<ArrayBuffer>
  etag: string
  lastModified: string
}

/** A prerendered feed file: its head line, a newline, the body. */
export function prerenderedFile(head: PrerenderedHead, body: string): string {
  // JSON.stringify escapes every newline inside strings: the first "\n" ends the head.
  return `${JSON.stringify(head)}\n${body}`
}

/** A prerendered feed file's head and body, from its bytes: the body is a view of them, never decoded or encoded again. Undefined: no head line. */
export function parsePrerenderedBytes(path: string, bytes: Uint8Array<ArrayBuffer>): { head: PrerenderedHead; bytes: Uint8Array<ArrayBuffer> } | undefined {
  const end = bytes.indexOf(0x0a)
  if (end < 0) return undefined
  return { head: parseArchiveJson<PrerenderedHead>(path, new TextDecoder().decode(bytes.subarray(0, end))), bytes: bytes.subarray(end + 1) }
}

/** One story as stored: references by key, resolved against the manifest when read. */
export interface StoryRecord {
  id: StoryId
  slug: string
  headline: string
  dek: string
  section: string
  /** Tag names as displayed; slugs are derived. */
  tags: string[]
  authors: string[]
  published: number
  updated: number
  timeZone: string
  language: string
  image?: LeadImage
  html: string
  /** Formatted at build time: Intl.DateTimeFormat with a time zone costs a new isolate about 9 ms. */
  datelines?: Datelines
  /** When and why it is withdrawn, the instant also as a dateline. */
  withdrawn?: { at: number; reason: string; dateline: string }
}

/** The first line of `items/<n>.txt`: per format, each story's item as [start, end) in the text after that line. */
export type ItemIndex = Record<'rss' | 'atom' | 'json', [start: number, end: number, hole: number][]>

/** An item without its story's HTML: where (in `text`) the HTML goes back, escaped for the format; −1 for nowhere. */
export interface ItemTemplate {
  text: string
  hole: number
}

/** An item file: its index line, a newline, the items. */
export function itemFile(items: Record<'rss' | 'atom' | 'json', readonly ItemTemplate[]>): string {
  let text = ''
  const index = {} as ItemIndex
  for (const format of ['rss', 'atom', 'json'] as const) {
    index[format] = items[format].map((item) => {
      const start = text.length
      text += item.text
      return [start, text.length, item.hole]
    })
  }
  return `${JSON.stringify(index)}\n${text}`
}

/** An item file (`items/<n>.txt`): its index line and the text the index points into. */
export function parseItemFile(path: string, text: string): { index: ItemIndex; text: string } {
  const end = text.indexOf('\n')
  if (end < 0) throw new ArchiveError(`archive file ${path} is damaged (no index line): run \`npm run build\``)
  return { index: parseArchiveJson<ItemIndex>(path, text.slice(0, end)), text: text.slice(end + 1) }
}

/** One article page as stored in `pages/<n>.txt`. */
export interface PageRecord {
  /** Published instant (ms): before it the page is not there. */
  published: number
  /** Its Last-Modified (ms). */
  updated: number
  /** The whole document, links against ARCHIVE_ORIGIN like item HTML. */
  html: string
}

/**
 * The first line of a records file (`stories/<n>.txt`, `pages/<n>.txt`): its records' lengths in
 * UTF-8 bytes, as JSON. The records follow it one after another, each the JSON of one record.
 */
export function recordsHead(lengths: readonly number[]): string {
  return `${JSON.stringify(lengths)}\n`
}

/** A records file from its records' JSON texts. */
export function recordsFile(records: readonly string[]): string {
  const encoder = new TextEncoder()
  return recordsHead(records.map((r) => encoder.encode(r).length)) + records.join('')
}

/** A records file as read: where each record starts in `bytes` (and, last, where the last ends). */
export interface RecordsFile {
  starts: number[]
  bytes: Uint8Array<ArrayBuffer>
}

/** A records file from its bytes: its head line parsed, the records left as bytes. */
export function parseRecordsFile(path: string, bytes: Uint8Array<ArrayBuffer>): RecordsFile {
  const end = bytes.indexOf(0x0a)
  const lengths = end < 0 ? undefined : parseArchiveJson<unknown>(path, new TextDecoder().decode(bytes.subarray(0, end)))
  if (!Array.isArray(lengths) || !lengths.every((l) => Number.isInteger(l) && l >= 0)) throw new ArchiveError(`archive file ${path} is damaged (no head line of lengths): run \`npm run build\``)
  const starts = [0]
  for (const l of lengths as number[]) starts.push(starts[starts.length - 1]! + l)
  if (starts[starts.length - 1]! !== bytes.length - end - 1) throw new ArchiveError(`archive file ${path} is damaged (its lengths do not add up): run \`npm run build\``)
  return { starts, bytes: bytes.subarray(end + 1) }
}

/** Record `k` of a records file, decoded and parsed alone; undefined past its end. */
export function recordOf<T extends object>(path: string, file: RecordsFile, k: number): T | undefined {
  if (k < 0 || k + 1 >= file.starts.length) return undefined
  const record = parseArchiveJson<T | null>(path, new TextDecoder().decode(file.bytes.subarray(file.starts[k]!, file.starts[k + 1]!)))
  if (typeof record !== 'object' || record === null) throw new ArchiveError(`archive file ${path} is damaged (record ${k} is not an object): run \`npm run build\``)
  return record
}

/** What a key shard maps: `s:<slug>` and `a:<anchor>` to a story number. */
export type KeyShard = Record<string, number>

export const paths = {
  manifest: 'manifest.json',
  block: (n: number) => `stories/${n}.txt`,
  pages: (n: number) => `pages/${n}.txt`,
  items: (n: number) => `items/${n}.txt`,
  keys: (n: number) => `keys/${n}.json`,
  listing: (n: number) => `listings/${n}.json`,
  chunk: (n: number, k: number) => `chunks/${n}-${k}.txt`,
  feed: (n: number, format: 'rss' | 'atom' | 'json') => `feeds/${n}.${format}`,
}

/** Which key shard holds a key: 32-bit FNV-1a, the same at build time and in the Worker. */
export function shardOf(key: string, shards: number): number {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193)
  return (h >>> 0) % shards
}
