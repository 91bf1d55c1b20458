/**
 * The build cache, `.herald/cache/` (safe to delete: the next build is a clean one):
 * - `state.bin`: per article file its size, mtime and content hash (so an unchanged file is not
 *   even read), and per content hash where its record, page and items are and a key of its
 *   `StoryMeta` — in binary columns (`StateColumns`), read without parsing: at 100,000 articles
 *   the JSON of the same columns took longer to read and parse than the stats of the folder;
 * - `metas-<id>.json`: the `StoryMeta`s themselves, in the same order, read only when a build lays the
 *   archive out again (an edit that leaves every meta as it was does not: see build.ts);
 * - `journal.jsonl`: what builds since `state.bin` was written added to it, one line each, so a
 *   one-article edit appends a line instead of rewriting the state (folded in every so often);
 * - `archive.json`: what the last build wrote to the archive (each file's digest, each block's
 *   members, each prerendered feed's inputs), so the next build rewrites only what changed;
 * - `packs/*.jsonl`: the story records, and beside each its article page and feed items (packs.ts).
 * Everything is keyed under the code hash (code-hash.ts): other code, other config, empty cache.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CACHE_FORMAT, sourceHash } from './code-hash'
import { PackReader, PackWriter, type Place } from './packs'
import { itemFile, recordsFile, recordsHead, type ItemTemplate } from '../../../src/archive/format'
import type { StoryMeta } from './stories'

export const CACHE_DIR = '.herald/cache'

export interface Entry {
  meta: StoryMeta
  /** Key of `meta`: equal keys, equal metas. */
  metaKey: string
  /** The story record; absent for a draft. */
  place?: Place
  /** Its article page (`PageRecord` JSON), in the record's pack. */
  page?: Place
  /** Its feed items (JSON of the three formats' texts) for `origin`, the last one rendered for. */
  items?: { origin: string; place: Place }
}

/** What the last build left in the archive, as the next build compares it. */
export interface ArchiveState {
  /** SHA-256 of the manifest.json it wrote: the archive is the one this state describes only while it matches. */
  manifest: string
  /** Archive path → digest and size of the file written there. */
  files: Record<string, { digest: string; size: number }>
  /** Block number → key of its stories (their content hashes). */
  blocks: string[]
  /** Listing number → key of its prerendered feeds' inputs. */
  feeds: string[]
  /** Path of a file made beside a block (article pages, feed items) → key of its inputs. */
  blockFiles: Record<string, string>
  /** Key of what the rules between articles read (check.ts), when they last passed. */
  checked?: string
  /** Content hash of each story, by story number (oldest first). */
  stories?: string[]
  /** Listing number → content hashes of the stories its prerendered feeds show. */
  shown?: string[][]
  /** The prerender target the archive was made for. */
  target?: { origin: string; feedSize: number }
}

interface FileStat {
  size: number
  mtime: number
  hash: string
}

/** A file's size, mtime and content hash, as archive.json keeps them for `inputHash`. */
type InputStat = [size: number, mtime: number, hash: string]

/** A meta as one JSON array: the state holds 100,000 of them. */
type MetaRow = [
  id: string | null,
  slug: string | null,
  tags: string[],
  story: [anchor: string, published: number, updated: number, section: string, tags: [string, string][], authors: string[][], withdrawn?: [number, string]] | null,
]

function toRow(m: StoryMeta): MetaRow {
  const s = m.story
  if (!s) return [m.id ?? null, m.slug ?? null, m.tags, null]
  const row: NonNullable<MetaRow[3]> = [s.anchor, s.published, s.updated, s.section, s.tags.map((t) => [t.name, t.slug]), s.authors.map((a) => (a.homepage ? [a.key, a.homepage] : [a.key]))]
  if (s.withdrawn) row.push([s.withdrawn.at, s.withdrawn.reason])
  return [m.id ?? null, m.slug ?? null, m.tags, row]
}

function fromRow([id, slug, tags, s]: MetaRow): StoryMeta {
  return {
    ...(id !== null ? { id } : {}),
    ...(slug !== null ? { slug } : {}),
    tags,
    ...(s ? { story: { anchor: s[0], published: s[1], updated: s[2], section: s[3], tags: s[4].map(([name, slug]) => ({ name, slug })), authors: s[5].map(([key, homepage]) => ({ key: key!, ...(homepage ? { homepage } : {}) })), ...(s[6] ? { withdrawn: { at: s[6][0], reason: s[6][1] } } : {}) } } : {}),
  }
}

/**
 * A content hash (code-hash.ts `sourceHash`: 32 hex digits) in 16 bytes; an unknown one (a file
 * whose hash a failed build never learnt) as 16 zero bytes, read back as ''.
 */
const HASH_BYTES = 16
const NO_HASH = '0'.repeat(2 * HASH_BYTES)

/** A column of content hashes in a state.bin, read as asked for. */
class HashColumn {
  constructor(
    readonly bytes: Buffer,
    readonly length: number,
  ) {}

  /** The column as hex text, made once: a hash is then a slice of it, which V8 makes without copying. */
  #hex: string | undefined

  at(k: number): string {
    const hash = (this.#hex ??= this.bytes.toString('hex')).slice(2 * HASH_BYTES * k, 2 * HASH_BYTES * (k + 1))
    return hash === NO_HASH ? '' : hash
  }

  indexOf(hash: string, hint = -1): number | undefined {
    if (hash.length !== 2 * HASH_BYTES) return undefined
    if (hint >= 0 && hint < this.length && this.at(hint) === hash) return hint
    const index = (this.#index ??= this.#makeIndex())
    const mask = index.length - 1
    for (let h = parseInt(hash.slice(0, 8), 16) & mask; index[h] !== 0; h = (h + 1) & mask) {
      if (this.at(index[h]! - 1) === hash) return index[h]! - 1
    }
    return undefined
  }

  /**
   * Position + 1 of each hash, by its first four bytes (a hash's bytes are uniform), open
   * addressing: no string made for it, where a Map of 100,000 hash strings took tens of ms.
   */
  #index: Int32Array | undefined

  #makeIndex(): Int32Array {
    const index = new Int32Array(2 ** Math.ceil(Math.log2(2 * this.length + 2)))
    const mask = index.length - 1
    // The column starts 8-byte aligned in state.bin (`readState`): its words can be read in place.
    const words = new Uint32Array(this.bytes.buffer, this.bytes.byteOffset, (this.length * HASH_BYTES) / 4)
    for (let k = 0; k < this.length; k++) {
      const w = 4 * k
      if ((words[w]! | words[w + 1]! | words[w + 2]! | words[w + 3]!) === 0) continue // no hash
      let h = this.bytes.readUInt32BE(k * HASH_BYTES) & mask
      while (index[h] !== 0) h = (h + 1) & mask
      index[h] = k + 1
    }
    return index
  }

  static write(hashes: readonly string[]): Buffer {
    const out = Buffer.alloc(hashes.length * HASH_BYTES)
    hashes.forEach((h, k) => h.length === 2 * HASH_BYTES && out.write(h, k * HASH_BYTES, HASH_BYTES, 'hex'))
    return out
  }
}

/** What state.bin's header says; the columns follow it (`StateColumns`). */
interface Header {
  format: number
  code: string
  /** The metas file written with this state (`metas-<id>.json`). */
  metas: string
  packs: string[]
  origins: string[]
  files: number
  entries: number
  /** Bytes of the file names, joined by line breaks. */
  names: number
}

/**
 * A state's columns. Files: name, size, mtime, content hash. Entries, by content hash: record
 * [pack, offset, length] (pack −1 for a draft), page [offset, length], items [pack, offset,
 * length, origin] (−1 when none), its meta's key (the metas are in metas-<id>.json, in this order).
 */
interface StateColumns {
  header: Header
  names: string[]
  sizes: Float64Array
  mtimes: Float64Array
  fileHashes: HashColumn
  hashes: HashColumn
  metaKeys: HashColumn
  places: Float64Array
  pages: Float64Array
  items: Float64Array
}

/**
 * state.bin: the header's length (4 bytes) and JSON, padded to 8 bytes, then the number columns
 * (float64: sizes, mtimes, places, pages, items), the hash columns (file hashes, entry hashes,
 * meta keys) and the names.
 */
function readState(bytes: Buffer): StateColumns {
  const headerLength = bytes.readUInt32LE(0)
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + headerLength)) as Header
  // Float64Array views need 8-byte alignment in the buffer's memory (a buffer of its own starts at 0).
  const data = bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(Uint8Array.prototype.slice.call(bytes).buffer)
  let at = Math.ceil((4 + headerLength) / 8) * 8
  const numbers = (n: number) => {
    const column = new Float64Array(data.buffer, data.byteOffset + at, n)
    at += 8 * n
    return column
  }
  const hashes = (n: number) => {
    const column = new HashColumn(data.subarray(at, at + n * HASH_BYTES), n)
    at += n * HASH_BYTES
    return column
  }
  const { files: n, entries: m } = header
  const [sizes, mtimes, places, pages, items] = [numbers(n), numbers(n), numbers(3 * m), numbers(2 * m), numbers(4 * m)]
  const [fileHashes, entryHashes, metaKeys] = [hashes(n), hashes(m), hashes(m)]
  const names = n === 0 ? [] : data.toString('utf8', at, at + header.names).split('\n')
  if (names.length !== n || at + header.names !== data.length) throw new Error('build cache: state.bin is not whole')
  return { header, names, sizes, mtimes, fileHashes, hashes: entryHashes, metaKeys, places, pages, items }
}

function writeState(header: Omit<Header, 'names'>, columns: { names: readonly string[]; sizes: ArrayLike<number>; mtimes: ArrayLike<number>; fileHashes: readonly string[]; hashes: readonly string[]; metaKeys: readonly string[]; places: number[]; pages: number[]; items: number[] }): Buffer {
  const names = Buffer.from(columns.names.join('\n'))
  const headerBytes = Buffer.from(JSON.stringify({ ...header, names: names.length } satisfies Header))
  const prefix = Buffer.alloc(Math.ceil((4 + headerBytes.length) / 8) * 8)
  prefix.writeUInt32LE(headerBytes.length, 0)
  headerBytes.copy(prefix, 4)
  const numbers = (values: ArrayLike<number>) => Buffer.from(Float64Array.from(values).buffer)
  return Buffer.concat([
    prefix,
    ...[columns.sizes, columns.mtimes, columns.places, columns.pages, columns.items].map(numbers),
    ...[columns.fileHashes, columns.hashes, columns.metaKeys].map((h) => HashColumn.write(h)),
    names,
  ])
}

/** A meta as the cache keeps it from a build thread: its row's JSON text and the key of that (`Entry.metaKey`). */
export interface MetaText {
  text: string
  key: string
}

export function metaText(meta: StoryMeta): MetaText {
  const text = JSON.stringify(toRow(meta))
  return { text, key: sourceHash(text) }
}

/** The key of a meta (`Entry.metaKey`). */
export function metaKeyOf(meta: StoryMeta): string {
  return metaText(meta).key
}

/**
 * An entry this build made, its meta kept as the row's JSON text until it is asked for. A clean
 * build holds every entry while its threads render, when its memory peaks: at 100,000 articles the
 * main thread's heap came to 223 MB at the end of the threads' phase with the metas as objects,
 * 124 MB with them as text (parsed when the layout reads them, once the threads are done).
 */
class MadeEntry implements Entry {
  place?: Place
  page?: Place
  items?: { origin: string; place: Place }
  readonly metaKey: string
  #text: string | undefined
  #meta: StoryMeta | undefined

  constructor(meta: StoryMeta | MetaText, metaKey: string | undefined, places: Pick<Entry, 'place' | 'page' | 'items'>) {
    if ('text' in meta) [this.#text, this.metaKey] = [meta.text, meta.key]
    else [this.#meta, this.metaKey] = [meta, metaKey ?? metaKeyOf(meta)]
    if (places.place) this.place = places.place
    if (places.page) this.page = places.page
    if (places.items) this.items = places.items
  }

  get meta(): StoryMeta {
    return (this.#meta ??= fromRow(JSON.parse(this.#text!) as MetaRow))
  }
}

/** An entry's places as a journal line holds them: record, page, items (pack, offset, length, origin). */
type JournalPlaces = [pack: string | null, offset: number, length: number, pageOffset: number, pageLength: number, itemsPack: string | null, itemsOffset: number, itemsLength: number, origin: string | null]
type JournalLine = ['f', string, number, number, string] | ['e', string, MetaRow, ...JournalPlaces]

function journalPlaces(e: Entry): JournalPlaces {
  return [e.place?.pack ?? null, e.place?.offset ?? 0, e.place?.length ?? 0, e.page?.offset ?? 0, e.page?.length ?? 0, e.items?.place.pack ?? null, e.items?.place.offset ?? 0, e.items?.place.length ?? 0, e.items?.origin ?? null]
}

function fromJournal(meta: MetaRow, [pack, offset, length, pageOffset, pageLength, itemsPack, itemsOffset, itemsLength, origin]: JournalPlaces): Entry {
  return {
    meta: fromRow(meta),
    metaKey: sourceHash(JSON.stringify(meta)),
    ...(pack !== null && { place: { pack, offset, length }, page: { pack, offset: pageOffset, length: pageLength } }),
    ...(itemsPack !== null && origin !== null && { items: { origin, place: { pack: itemsPack, offset: itemsOffset, length: itemsLength } } }),
  }
}

/**
 * The files a build saw, in columns, in the order it saw them (100,000 of them are looked up on
 * every build, mostly at the position they had last time), with later word on some on top.
 */
/** Content hashes by position: an array (this build's), or a state's column. */
type Hashes = { readonly length: number; at(k: number): string | undefined }

class FileTable<H extends Hashes = Hashes> {
  readonly #later = new Map<string, FileStat>()
  #at: Map<string, number> | undefined

  constructor(
    readonly names: readonly string[],
    readonly sizes: ArrayLike<number>,
    readonly mtimes: ArrayLike<number>,
    readonly hashes: H,
  ) {}

  static empty(): FileTable<string[]> {
    return new FileTable([], [], [], [])
  }

  /** Where `name` is, given where the caller has it (`hint`). */
  indexOf(name: string, hint = -1): number | undefined {
    return this.names[hint] === name ? hint : (this.#at ??= new Map(this.names.map((n, k) => [n, k]))).get(name)
  }

  get(name: string, hint?: number): FileStat | undefined {
    const later = this.#later.get(name)
    if (later) return later
    const k = this.indexOf(name, hint)
    return k === undefined ? undefined : { size: this.sizes[k]!, mtime: this.mtimes[k]!, hash: this.hashes.at(k)! }
  }

  /** The content hash `name` had if it had this size and mtime ('' is a hash a build never learnt: not known). */
  hashIf(name: string, hint: number, size: number, mtime: number): string | undefined {
    const was = this.get(name, hint)
    return was && was.size === size && was.mtime === mtime && was.hash !== '' ? was.hash : undefined
  }

  set(name: string, stat: FileStat): void {
    this.#later.set(name, stat)
  }
}

/** A read state.bin (never changed once read), and the file's path, inode, mtime and size it was read from (a new state is a new file, renamed in). */
interface LoadedState {
  key: string
  state: StateColumns
}
let lastLoaded: LoadedState | undefined

/** The journal is folded into the state past this many lines, and the packs compacted then. */
const MAX_JOURNAL = 20_000
/** Compaction merges the small packs when there are more than this many, or more dead bytes than live. */
const MAX_PACKS = 8

export class CacheStore {
  readonly dir: string
  readonly packDir: string
  readonly code: string
  #files: FileTable = FileTable.empty()
  /** Entries of this build, and those of the state as they are asked for. */
  readonly #entries = new Map<string, Entry>()
  /** The state's entries, in columns. */
  #stored: StateColumns | undefined
  #metaRows: (MetaRow | null)[] | undefined
  /** The files this build sees (`knownHashes`), with the content hash of each as it becomes known. */
  #fresh: FileTable<string[]> = FileTable.empty()
  readonly #added: JournalLine[] = []
  #journalLines = 0
  #savedAt = 0
  /** Size, mtime and content hash of the files every build reads whole (`inputHash`): the last build's, and this one's. */
  #lastInputs: Record<string, InputStat> = {}
  readonly #inputs: Record<string, InputStat> = {}
  #archive: ArchiveState | undefined
  #reader: PackReader | undefined

  private constructor(root: string, code: string, clean: boolean) {
    this.dir = join(root, CACHE_DIR)
    this.packDir = join(this.dir, 'packs')
    this.code = code
    if (!clean && this.#load()) return
    this.#files = FileTable.empty()
    this.#entries.clear()
    rmSync(this.dir, { recursive: true, force: true })
    mkdirSync(this.packDir, { recursive: true })
    this.#journalLines = MAX_JOURNAL // write a fresh state on save
  }

  /** The cache under `root` for this code; empty when there is none, it is for other code, or `clean`. */
  static open(root: string, code: string, clean = false): CacheStore {
    return new CacheStore(root, code, clean)
  }

  #load(): boolean {
    const path = join(this.dir, 'state.bin')
    let loaded: LoadedState
    try {
      // A process that builds again (`npm run dev`) reads a state it has already read only once.
      const { ino, mtimeMs, size } = statSync(path)
      const key = `${path} ${ino} ${mtimeMs} ${size}`
      loaded = lastLoaded?.key === key ? lastLoaded : (lastLoaded = { key, state: readState(readFileSync(path)) })
    } catch {
      return false
    }
    const { state } = loaded
    if (state.header.format !== CACHE_FORMAT || state.header.code !== this.code) return false
    this.#files = new FileTable(state.names, state.sizes, state.mtimes, state.fileHashes)
    this.#stored = state
    const journal = join(this.dir, 'journal.jsonl')
    if (existsSync(journal)) {
      for (const line of readFileSync(journal, 'utf8').split('\n')) {
        if (!line) continue
        let row: JournalLine
        try {
          row = JSON.parse(line) as JournalLine
        } catch {
          break // a line cut short by a crash: what follows it was never acknowledged
        }
        this.#journalLines++
        if (row[0] === 'f') this.#files.set(row[1], { size: row[2], mtime: row[3], hash: row[4] })
        else this.#entries.set(row[1], fromJournal(row[2], row.slice(3) as JournalPlaces))
      }
    }
    try {
      const archive = JSON.parse(readFileSync(join(this.dir, 'archive.json'), 'utf8')) as { savedAt: number; archive?: ArchiveState; inputs?: Record<string, InputStat> }
      this.#savedAt = archive.savedAt
      this.#archive = archive.archive
      this.#lastInputs = archive.inputs ?? {}
    } catch {
      // no archive state: every archive file is written
    }
    mkdirSync(this.packDir, { recursive: true })
    return true
  }

  /**
   * Content hash of each file (relative to `root`) whose size and mtime are the last build's;
   * undefined for the others, which the caller hashes (`hash`) or has processed (`setHash`).
   * `stated`: each file's size and mtime, taken already (folder-stats.ts), in the order of `files`.
   */
  knownHashes(root: string, files: readonly string[], onlyChanged?: ReadonlySet<string>, stated?: { sizes: ArrayLike<number>; mtimes: ArrayLike<number> }): (string | undefined)[] {
    // A file changed within the same clock tick as the last save could keep its mtime: read it.
    const racy = this.#savedAt - 2000
    const sizes = new Float64Array(files.length)
    const mtimes = new Float64Array(files.length)
    const hashes: string[] = new Array<string>(files.length)
    const known: (string | undefined)[] = new Array<string | undefined>(files.length)
    const base = `${root}/`
    for (let i = 0; i < files.length; i++) {
      // A file the caller's watcher saw no change to since the last build is as that build saw it.
      const last = onlyChanged && !onlyChanged.has(files[i]!) ? this.#files.get(files[i]!, i) : undefined
      if (last && last.hash !== '') {
        sizes[i] = last.size
        mtimes[i] = last.mtime
        hashes[i] = known[i] = last.hash
        continue
      }
      const stat = stated ? { size: stated.sizes[i]!, mtimeMs: stated.mtimes[i]! } : statSync(base + files[i])
      sizes[i] = stat.size
      mtimes[i] = stat.mtimeMs
      const hash = stat.mtimeMs < racy ? this.#files.hashIf(files[i]!, i, stat.size, stat.mtimeMs) : undefined
      known[i] = hash
      hashes[i] = hash ?? ''
    }
    this.#fresh = new FileTable(files, sizes, mtimes, hashes)
    return known
  }

  /**
   * The content hash of a file the build reads whole (the ledger, the article index: 16 MB at
   * 100,000 articles), known without reading it when its size and mtime are the last build's, by
   * the rule `knownHashes` applies to articles. A missing file hashes as empty text.
   */
  inputHash(root: string, file: string): string {
    const path = join(root, file)
    const stat = statSync(path, { throwIfNoEntry: false })
    if (!stat) return sourceHash('')
    const was = this.#lastInputs[file]
    const known = was && was[0] === stat.size && was[1] === stat.mtimeMs && stat.mtimeMs < this.#savedAt - 2000
    this.#inputs[file] = known ? was : [stat.size, stat.mtimeMs, sourceHash(readFileSync(path, 'utf8'))]
    return this.#inputs[file][2]
  }

  /** Reads and hashes a file `knownHashes` did not know. */
  hash(root: string, file: string, hint?: number): string {
    const hash = sourceHash(readFileSync(join(root, file)))
    this.setHash(file, hash, hint)
    return hash
  }

  /** The content hash of a file `knownHashes` did not know, as a build thread read it. */
  setHash(file: string, hash: string, hint?: number): void {
    this.#fresh.hashes[this.#fresh.indexOf(file, hint)!] = hash
  }

  /** The content hash `file` had in the last build that saw it (`hint`: its position in this build's list). */
  previousHash(file: string, hint?: number): string | undefined {
    return this.#files.get(file, hint)?.hash
  }

  /** Whether the cache has no story at all (a clean build's, or another code's). */
  get empty(): boolean {
    return this.#entries.size === 0 && !this.#stored?.hashes.length
  }

  /**
   * Whether the cache has an entry for `hash` (without making it). `hint`: the hash's file's
   * position in the file list, where a state written by the last build mostly has its entry.
   */
  has(hash: string, hint?: number): boolean {
    return this.#entries.has(hash) || this.#stored?.hashes.indexOf(hash, hint) !== undefined
  }

  entry(hash: string, hint?: number): Entry | undefined {
    return this.#entries.get(hash) ?? this.#storedEntry(hash, hint)
  }

  /** An entry of the state, made when first asked for; its meta read (all of metas.json) when first asked for. */
  #storedEntry(hash: string, hint?: number): Entry | undefined {
    const e = this.#stored
    const i = e?.hashes.indexOf(hash, hint)
    if (e === undefined || i === undefined) return undefined
    const { packs, origins } = e.header
    const pack = e.places[3 * i]!
    const itemsPack = e.items[4 * i]!
    const metaRows = () => (this.#metaRows ??= JSON.parse(readFileSync(join(this.dir, e.header.metas), 'utf8')) as (MetaRow | null)[])
    const entry = {
      metaKey: e.metaKeys.at(i),
      ...(pack >= 0 && {
        place: { pack: packs[pack]!, offset: e.places[3 * i + 1]!, length: e.places[3 * i + 2]! },
        page: { pack: packs[pack]!, offset: e.pages[2 * i]!, length: e.pages[2 * i + 1]! },
      }),
      ...(itemsPack >= 0 && { items: { origin: origins[e.items[4 * i + 3]!]!, place: { pack: packs[itemsPack]!, offset: e.items[4 * i + 1]!, length: e.items[4 * i + 2]! } } }),
    } as Entry
    Object.defineProperty(entry, 'meta', {
      configurable: true,
      enumerable: true,
      get: () => {
        const meta = fromRow(metaRows()[i]!)
        Object.defineProperty(entry, 'meta', { value: meta, enumerable: true, writable: true })
        return meta
      },
    })
    this.#entries.set(hash, entry)
    return entry
  }

  /** A new entry: its meta as an object (and its key, when known) or as a build thread sent it (`MetaText`). */
  setEntry(hash: string, given: Pick<Entry, 'place' | 'page' | 'items'> & { meta: StoryMeta | MetaText; metaKey?: string }): void {
    const entry = new MadeEntry(given.meta, given.metaKey, given)
    this.#entries.set(hash, entry)
    // Until the first save after a clean start the journal is not written: the state is, whole.
    if (this.#journalLines < MAX_JOURNAL) this.#added.push(['e', hash, toRow(entry.meta), ...journalPlaces(entry)])
  }

  /** A new pack for one writer of this build. */
  writer(name: string): PackWriter {
    return new PackWriter(this.packDir, `${name}.jsonl`)
  }

  record(entry: Entry): string {
    if (!entry.place) throw new Error('build cache: a draft has no record')
    return this.#read(entry.place)
  }

  /** A story's article page (`PageRecord` JSON text). */
  page(entry: Entry): string {
    if (!entry.page) throw new Error('build cache: a draft has no page')
    return this.#read(entry.page)
  }

  /** A story's feed items for `origin` (RSS, Atom, JSON), or undefined when the cache has them for another origin only. */
  items(entry: Entry, origin: string): [ItemTemplate, ItemTemplate, ItemTemplate] | undefined {
    return entry.items?.origin === origin ? (JSON.parse(this.#read(entry.items.place)) as [ItemTemplate, ItemTemplate, ItemTemplate]) : undefined
  }

  /** `stories/<n>.txt` of these stories, from their records. */
  blockText(entries: readonly Entry[]): string {
    return recordsFile(entries.map((e) => this.record(e)))
  }

  /**
   * `stories/<n>.txt` of these stories (`'place'`: their records) or `pages/<n>.txt` (`'page'`:
   * their pages) as UTF-8 — the lengths' line, then each one after another — copied from the
   * packs into a buffer of `alloc`'s: the same bytes as encoding `blockText` or `pagesText`,
   * without decoding and encoding gigabytes of text at 100,000 stories.
   */
  joinedBytes(entries: readonly Entry[], which: 'place' | 'page', alloc: (size: number) => Buffer): Buffer {
    const places = entries.map((e) => e[which] ?? this.#missing(which))
    const head = Buffer.from(recordsHead(places.map((p) => p.length)))
    const size = places.reduce((sum, p) => sum + p.length, head.length)
    const out = alloc(size)
    this.#reader ??= new PackReader(this.packDir)
    let at = head.copy(out, 0)
    for (const place of places) {
      this.#reader.readInto(place, out, at)
      at += place.length
    }
    return out.subarray(0, size)
  }

  #missing(which: 'place' | 'page'): never {
    throw new Error(`build cache: a draft has no ${which === 'place' ? 'record' : 'page'}`)
  }

  /** `pages/<n>.txt` of these stories, from their pages. */
  pagesText(entries: readonly Entry[]): string {
    return recordsFile(entries.map((e) => this.page(e)))
  }

  /** `items/<n>.txt` of these stories for `origin`; undefined when one has no items for it. */
  itemsText(entries: readonly Entry[], origin: string): string | undefined {
    const items = entries.map((e) => this.items(e, origin))
    if (items.some((i) => i === undefined)) return undefined
    return itemFile({ rss: items.map((i) => i![0]), atom: items.map((i) => i![1]), json: items.map((i) => i![2]) })
  }

  #read(place: Place): string {
    this.#reader ??= new PackReader(this.packDir)
    return this.#reader.read(place)
  }

  /** The archive state, if `manifestText` is the manifest the last build wrote. */
  archive(manifestText: string | undefined): ArchiveState | undefined {
    const archive = this.#archive
    return archive && manifestText !== undefined && archive.manifest === sourceHash(manifestText) ? archive : undefined
  }

  /** The last build's archive state, whatever the archive holds now (for `checked`). */
  get lastArchive(): ArchiveState | undefined {
    return this.#archive
  }

  setArchive(archive: ArchiveState | undefined): void {
    this.#archive = archive
  }

  /** Forgets the archive state now, on disk too: the archive is about to be changed in place. */
  forgetArchive(): void {
    this.#archive = undefined
    rmSync(join(this.dir, 'archive.json'), { force: true })
  }

  /** Records this build: a journal line per changed file and new entry, or (every so often) a new state with the packs compacted. */
  save(): void {
    this.#reader?.close()
    this.#reader = undefined
    const fresh = this.#fresh
    for (let i = 0; i < fresh.names.length; i++) {
      const file = fresh.names[i]!
      const was = this.#files.get(file, i)
      if (!was || was.size !== fresh.sizes[i] || was.mtime !== fresh.mtimes[i] || was.hash !== fresh.hashes[i]) this.#added.push(['f', file, fresh.sizes[i]!, fresh.mtimes[i]!, fresh.hashes[i]!])
    }
    if (this.#journalLines + this.#added.length >= MAX_JOURNAL || readdirSync(this.packDir).length > 4 * MAX_PACKS) {
      this.#rewrite()
      this.#journalLines = 0
    }
    else if (this.#added.length > 0) appendFileSync(join(this.dir, 'journal.jsonl'), this.#added.map((l) => `${JSON.stringify(l)}\n`).join(''))
    else this.#journalLines += this.#added.length
    this.#added.length = 0
    const tmp = join(this.dir, 'archive.json.tmp')
    writeFileSync(tmp, JSON.stringify({ savedAt: Date.now(), archive: this.#archive, inputs: this.#inputs }))
    renameSync(tmp, join(this.dir, 'archive.json'))
  }

  /**
   * A new state of the files this build saw and their entries only, packs compacted, journal
   * emptied. The entries are in the files' order, one row per file (an empty row for a file
   * without an entry of its own), so that a file's position finds its entry (`HashColumn`).
   */
  #rewrite(): void {
    const live = new Map<string, Entry>()
    const fresh = this.#fresh
    fresh.hashes.forEach((hash, k) => {
      const entry = hash === '' || live.has(hash) ? undefined : this.entry(hash, k)
      if (entry) live.set(hash, entry)
    })
    this.#compact(live)
    const packs = [...new Set([...live.values()].flatMap((e) => [...(e.place ? [e.place.pack] : []), ...(e.items ? [e.items.place.pack] : [])]))]
    const packIndex = new Map(packs.map((p, i) => [p, i]))
    const rows = { hashes: [] as string[], metaKeys: [] as string[], places: [] as number[], pages: [] as number[], items: [] as number[] }
    const metas: (MetaRow | null)[] = []
    const origins: string[] = []
    const written = new Set<string>()
    for (const hash of fresh.hashes) {
      const entry = written.has(hash) ? undefined : live.get(hash)
      if (!entry) {
        rows.hashes.push('')
        rows.metaKeys.push('')
        rows.places.push(-1, 0, 0)
        rows.pages.push(0, 0)
        rows.items.push(-1, 0, 0, -1)
        metas.push(null)
        continue
      }
      written.add(hash)
      rows.hashes.push(hash)
      rows.metaKeys.push(entry.metaKey)
      metas.push(toRow(entry.meta))
      const p = entry.place
      rows.places.push(p ? packIndex.get(p.pack)! : -1, p?.offset ?? 0, p?.length ?? 0)
      rows.pages.push(entry.page?.offset ?? 0, entry.page?.length ?? 0)
      const items = entry.items
      if (items && !origins.includes(items.origin)) origins.push(items.origin)
      rows.items.push(items ? packIndex.get(items.place.pack)! : -1, items?.place.offset ?? 0, items?.place.length ?? 0, items ? origins.indexOf(items.origin) : -1)
    }
    const header = { format: CACHE_FORMAT, code: this.code, metas: `metas-${Date.now().toString(36)}-${process.pid}.json`, packs, origins, files: fresh.names.length, entries: rows.hashes.length }
    // The metas under a new name first, then the state naming them: a state is only ever read
    // with the metas it was written with, whenever a build stops.
    writeFileSync(join(this.dir, header.metas), JSON.stringify(metas))
    const tmp = join(this.dir, 'state.bin.tmp')
    writeFileSync(tmp, writeState(header, { names: fresh.names, sizes: fresh.sizes, mtimes: fresh.mtimes, fileHashes: fresh.hashes, ...rows }))
    renameSync(tmp, join(this.dir, 'state.bin'))
    for (const f of readdirSync(this.dir)) if (f.startsWith('metas-') && f !== header.metas) rmSync(join(this.dir, f), { force: true })
    rmSync(join(this.dir, 'journal.jsonl'), { force: true })
  }

  #compact(live: Map<string, Entry>): void {
    const liveBytes = new Map<string, number>()
    for (const entry of live.values()) {
      for (const place of [entry.place, entry.page, entry.items?.place]) if (place) liveBytes.set(place.pack, (liveBytes.get(place.pack) ?? 0) + place.length + 1)
    }
    for (const pack of readdirSync(this.packDir)) if (!liveBytes.has(pack)) rmSync(join(this.packDir, pack), { force: true })
    const sizes = new Map([...liveBytes.keys()].map((p) => [p, statSync(join(this.packDir, p)).size]))
    const total = [...sizes.values()].reduce((a, b) => a + b, 0)
    const used = [...liveBytes.values()].reduce((a, b) => a + b, 0)
    if (sizes.size <= MAX_PACKS && total - used <= used) return
    // Merge every pack but the largest mostly-live one: a run of edits rewrites the edited stories, not the archive.
    const [largest] = [...sizes].sort((a, b) => b[1] - a[1])[0] ?? []
    const keep = largest && liveBytes.get(largest)! * 2 >= sizes.get(largest)! ? largest : undefined
    const reader = new PackReader(this.packDir)
    const writer = new PackWriter(this.packDir, `merged-${Date.now().toString(36)}.jsonl`)
    for (const entry of live.values()) {
      // A page stays right after its record: the state keeps one pack for both.
      if (entry.place && entry.place.pack !== keep) {
        entry.place = writer.append(reader.read(entry.place))
        entry.page = writer.append(reader.read(entry.page!))
      }
      if (entry.items && entry.items.place.pack !== keep) entry.items = { origin: entry.items.origin, place: writer.append(reader.read(entry.items.place)) }
    }
    writer.close()
    reader.close()
    for (const pack of sizes.keys()) if (pack !== keep) rmSync(join(this.packDir, pack), { force: true })
  }
}

export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined
}
