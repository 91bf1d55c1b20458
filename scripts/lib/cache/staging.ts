/**
 * The archive rewritten in place: a changed file is written beside itself and renamed over
 * itself (a reader sees the old file or the new one), a file the build no longer makes is removed.
 * The directory itself stays: `wrangler dev` serves it by path, across rebuilds. The
 * caller forgets the cache's archive state first (store.ts `forgetArchive`): a build that stops
 * half-way leaves no state that claims the half-written archive, and the next build writes all.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { paths } from '../../../src/archive/format'
import type { ArchiveState } from './store'

/**
 * Files being written at once. A clean build of 100,000 stories writes 10,000 files, 1.7 GB: done
 * one by one, the writes and renames held the build's one thread for seconds while it could have
 * been joining the next block's stories. On libuv's threads they overlap with that work.
 */
const WRITES_IN_FLIGHT = 8

function listTree(dir: string, base = dir, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) listTree(join(dir, entry.name), base, out)
    else out.push(relative(base, join(dir, entry.name)).split('\\').join('/'))
  }
  return out
}

export class Staging {
  readonly dir: string
  /** What the archive holds, when the cache describes it (else everything is written). */
  readonly previous: ArchiveState | undefined
  readonly #files: ArchiveState['files'] = {}
  written = 0

  constructor(dir: string, previous: ArchiveState | undefined) {
    this.dir = dir
    // Left by builds that made the next archive beside this one.
    for (const old of [`${dir}.next`, `${dir}.old`]) rmSync(old, { recursive: true, force: true })
    this.previous = previous && existsSync(dir) ? previous : undefined
    mkdirSync(dir, { recursive: true })
  }

  /** Keeps every file as the last build wrote it, but those written again (a revision's). */
  keepAll(): void {
    Object.assign(this.#files, this.previous?.files)
  }

  /** Keeps `path` as the last build wrote it. */
  keep(path: string): boolean {
    const was = this.previous?.files[path]
    if (!was) return false
    this.#files[path] = was
    return true
  }

  /** Bytes being written (for `read`), by path. */
  readonly #writing = new Map<string, Buffer>()
  readonly #inFlight = new Set<Promise<void>>()
  readonly #folders = new Set<string>()
  #failed: unknown

  /** The archive sink (compile.ts `ArchiveSink`): writes `text` unless the file there already holds it (see `#write`). */
  readonly sink = async (path: string, text: string, digest = createHash('sha256').update(text).digest('hex')): Promise<void> => {
    if (this.#unchanged(path, digest)) return
    // Encoded once, for its size and for the write, into a buffer of its own that the next write
    // reuses: a new buffer per file would leave gigabytes for the collector to find.
    const slot = this.#buffer(text.length * 3)
    await this.#write(path, slot.subarray(0, slot.write(text)), slot, digest)
  }

  /**
   * As `sink`, for a file whose UTF-8 bytes the caller copies in itself (`fill`, into a buffer of
   * at least the size it asks `alloc` for: the build cache's story files, straight from its packs).
   * The digest is the bytes' SHA-256 unless given; it is returned.
   */
  async put(path: string, digest: string | undefined, fill: (alloc: (size: number) => Buffer) => Buffer): Promise<string> {
    if (digest !== undefined && this.#unchanged(path, digest)) return digest
    let slot: Buffer | undefined
    const bytes = fill((size) => (slot = this.#buffer(size)))
    if (!slot) throw new Error(`build: ${path} was filled into no buffer of the staging's`)
    digest ??= createHash('sha256').update(bytes).digest('hex')
    if (this.#unchanged(path, digest)) this.#free.push(slot)
    else await this.#write(path, bytes, slot, digest)
    return digest
  }

  /** Whether `path` holds these bytes already (this build's write or the last build's): then it is kept as it is. */
  #unchanged(path: string, digest: string): boolean {
    const was = this.#files[path] ?? this.previous?.files[path]
    if (was?.digest !== digest) return false
    this.#files[path] = was
    return true
  }

  /**
   * Writes `bytes` (in `slot`, handed back to the pool once written) to `path`. It returns once the
   * write has started: the manifest, which a reader opens first, is written after every file
   * handed in before it has landed, as it would be one write at a time.
   */
  async #write(path: string, bytes: Buffer, slot: Buffer, digest: string): Promise<void> {
    this.#files[path] = { digest, size: bytes.length }
    this.written++
    const file = join(this.dir, path)
    const folder = dirname(file)
    if (!this.#folders.has(folder)) {
      mkdirSync(folder, { recursive: true })
      this.#folders.add(folder)
    }
    if (path === paths.manifest || this.#writing.has(path)) await this.#settle()
    if (path === paths.manifest) {
      writeFileSync(`${file}.tmp`, bytes)
      renameSync(`${file}.tmp`, file)
      this.#free.push(slot)
      return
    }
    while (this.#inFlight.size >= WRITES_IN_FLIGHT) await Promise.race(this.#inFlight)
    this.#writing.set(path, bytes)
    const write = writeFile(`${file}.tmp`, bytes)
      .then(() => rename(`${file}.tmp`, file))
      .catch((err: unknown) => void (this.#failed ??= err))
      .finally(() => {
        this.#writing.delete(path)
        this.#inFlight.delete(write)
        this.#free.push(slot)
      })
    this.#inFlight.add(write)
  }

  /** Buffers no write is using. */
  readonly #free: Buffer[] = []

  /** A buffer of at least `size` bytes (UTF-8 takes at most three bytes per UTF-16 unit of a text). */
  #buffer(size: number): Buffer {
    const slot = this.#free.pop()
    return slot && slot.length >= size ? slot : Buffer.allocUnsafeSlow(Math.max(size, 1 << 16))
  }

  /** Waits for every write started; throws the first that failed. */
  async #settle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight)
    if (this.#failed !== undefined) throw this.#failed
  }

  /** The digest of what `path` holds now (this build's write of it, or the last build's). */
  digest(path: string): string | undefined {
    return (this.#files[path] ?? this.previous?.files[path])?.digest
  }

  readonly read = async (path: string): Promise<string> => this.#writing.get(path)?.toString('utf8') ?? readFileSync(join(this.dir, path), 'utf8')

  /**
   * Waits for the writes, then removes what this build did not make (unless `prune` is false: a
   * revision keeps every file); returns what the archive holds (without the manifest digest the
   * store adds).
   */
  async finish(prune = true): Promise<{ files: ArchiveState['files']; count: number; bytes: number; largest: number; largestPath: string }> {
    await this.#settle()
    if (prune) for (const path of listTree(this.dir)) if (!(path in this.#files)) rmSync(join(this.dir, path), { force: true })
    let [count, bytes, largest, largestPath] = [0, 0, 0, '']
    for (const [path, { size }] of Object.entries(this.#files)) {
      count++
      bytes += size
      if (size > largest) [largest, largestPath] = [size, path]
    }
    return { files: this.#files, count, bytes, largest, largestPath }
  }
}
