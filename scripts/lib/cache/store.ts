/**
 * The build cache, `.herald/cache/` (safe to delete: the next build is a clean one):
 * - `state.json`: per article file its size, mtime and content hash (so an unchanged file is not
 *   even read); per content hash the article's `StoryMeta` and where its record is; and what the
 *   last build wrote to the archive (each file's digest, each block's members, each prerendered
 *   feed's inputs), so the next build rewrites only what changed;
 * - `packs/*.jsonl`: the story records (packs.ts).
 * Everything is keyed under the code hash (code-hash.ts): other code, other config, empty cache.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CACHE_FORMAT, sourceHash } from './code-hash'
import { PackReader, PackWriter, type Place } from './packs'
import type { StoryMeta } from './stories'

export const CACHE_DIR = '.herald/cache'

export interface Entry {
  meta: StoryMeta
  /** Absent for a draft. */
  place?: Place
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
}

interface State {
  format: number
  code: string
  /** When the state was written (ms): a file modified since then is read, whatever its stat says. */
  savedAt: number
  files: Record<string, { size: number; mtime: number; hash: string }>
  entries: Record<string, Entry>
  archive?: ArchiveState
}

/** Compaction: more packs than this, or more dead bytes than live ones, and the small packs are merged. */
const MAX_PACKS = 8

export class CacheStore {
  readonly dir: string
  readonly packDir: string
  readonly code: string
  #state: State
  readonly #fresh: Record<string, { size: number; mtime: number; hash: string }> = {}
  #reader: PackReader | undefined
  /** Whether the state on disk was for this code (false: clean build). */
  readonly warm: boolean

  private constructor(root: string, code: string, state: State | undefined) {
    this.dir = join(root, CACHE_DIR)
    this.packDir = join(this.dir, 'packs')
    this.code = code
    this.warm = state !== undefined
    this.#state = state ?? { format: CACHE_FORMAT, code, savedAt: 0, files: {}, entries: {} }
    if (!state) rmSync(this.dir, { recursive: true, force: true })
    mkdirSync(this.packDir, { recursive: true })
  }

  /** The cache under `root` for this code; empty when there is none, it is for other code, or `clean`. */
  static open(root: string, code: string, clean = false): CacheStore {
    let state: State | undefined
    if (!clean) {
      try {
        const read = JSON.parse(readFileSync(join(root, CACHE_DIR, 'state.json'), 'utf8')) as State
        if (read.format === CACHE_FORMAT && read.code === code) state = read
      } catch {
        // no cache, or a damaged one: start empty
      }
    }
    return new CacheStore(root, code, state)
  }

  /** Content hash of each file (relative to `root`): from the last build's stat when size and mtime match, else read. */
  hashFiles(root: string, files: readonly string[]): string[] {
    const known = this.#state.files
    // A file changed within the same clock tick as the last save could keep its mtime: read it.
    const racy = this.#state.savedAt - 2000
    return files.map((file) => {
      const path = join(root, file)
      const stat = statSync(path)
      const was = known[file]
      const hash = was && was.size === stat.size && was.mtime === stat.mtimeMs && stat.mtimeMs < racy ? was.hash : sourceHash(readFileSync(path))
      this.#fresh[file] = { size: stat.size, mtime: stat.mtimeMs, hash }
      return hash
    })
  }

  entry(hash: string): Entry | undefined {
    return this.#state.entries[hash]
  }

  setEntry(hash: string, entry: Entry): void {
    this.#state.entries[hash] = entry
  }

  /** A new pack for one writer of this build. */
  writer(name: string): PackWriter {
    return new PackWriter(this.packDir, `${name}.jsonl`)
  }

  record(entry: Entry): string {
    if (!entry.place) throw new Error('build cache: a draft has no record')
    this.#reader ??= new PackReader(this.packDir)
    return this.#reader.read(entry.place)
  }

  /** The archive state, if `manifestText` is the manifest the last build wrote. */
  archive(manifestText: string | undefined): ArchiveState | undefined {
    const archive = this.#state.archive
    return archive && manifestText !== undefined && archive.manifest === sourceHash(manifestText) ? archive : undefined
  }

  setArchive(archive: ArchiveState | undefined): void {
    this.#state.archive = archive
  }

  /**
   * Writes the state for the files hashed in this build: entries of files that are gone are
   * dropped, packs nobody refers to deleted, small packs merged.
   */
  save(): void {
    this.#reader?.close()
    this.#reader = undefined
    const live: Record<string, Entry> = {}
    for (const { hash } of Object.values(this.#fresh)) {
      const entry = this.#state.entries[hash]
      if (entry) live[hash] = entry
    }
    this.#state.entries = live
    this.#state.files = this.#fresh
    this.#compact()
    this.#state.savedAt = Date.now()
    const tmp = join(this.dir, 'state.json.tmp')
    writeFileSync(tmp, JSON.stringify(this.#state))
    renameSync(tmp, join(this.dir, 'state.json'))
  }

  #compact(): void {
    const liveBytes = new Map<string, number>()
    for (const { place } of Object.values(this.#state.entries)) if (place) liveBytes.set(place.pack, (liveBytes.get(place.pack) ?? 0) + place.length + 1)
    const packs = readdirSync(this.packDir)
    for (const pack of packs) if (!liveBytes.has(pack)) rmSync(join(this.packDir, pack), { force: true })
    const sizes = new Map([...liveBytes.keys()].map((p) => [p, statSync(join(this.packDir, p)).size]))
    const total = [...sizes.values()].reduce((a, b) => a + b, 0)
    const live = [...liveBytes.values()].reduce((a, b) => a + b, 0)
    if (sizes.size <= MAX_PACKS && total - live <= live) return
    // Merge every pack but the largest mostly-live one: a one-story edit rewrites its own story, not the archive.
    const [largest] = [...sizes].sort((a, b) => b[1] - a[1])[0] ?? []
    const keep = largest && liveBytes.get(largest)! * 2 >= sizes.get(largest)! ? largest : undefined
    const reader = new PackReader(this.packDir)
    const writer = new PackWriter(this.packDir, `merged-${Date.now().toString(36)}.jsonl`)
    for (const entry of Object.values(this.#state.entries)) {
      if (entry.place && entry.place.pack !== keep) entry.place = writer.append(reader.read(entry.place))
    }
    writer.close()
    reader.close()
    for (const pack of sizes.keys()) if (pack !== keep) rmSync(join(this.packDir, pack), { force: true })
  }
}

export function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined
}
