/**
 * The archive rewritten in place: a changed file is written beside itself and renamed over
 * itself (a reader sees the old file or the new one), a file the build no longer makes is removed.
 * The directory itself stays: `wrangler dev` serves it by path, across rebuilds. The
 * caller forgets the cache's archive state first (store.ts `forgetArchive`): a build that stops
 * half-way leaves no state that claims the half-written archive, and the next build writes all.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { ArchiveState } from './store'

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

  /** The archive sink (compile.ts `ArchiveSink`): writes `text` unless the file there already holds it. */
  readonly sink = (path: string, text: string, digest = createHash('sha256').update(text).digest('hex')): void => {
    const size = Buffer.byteLength(text)
    const current = this.digest(path)
    this.#files[path] = { digest, size }
    if (current === digest) return
    const file = join(this.dir, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(`${file}.tmp`, text)
    renameSync(`${file}.tmp`, file)
    this.written++
  }

  /** The digest of what `path` holds now (this build's write of it, or the last build's). */
  digest(path: string): string | undefined {
    return (this.#files[path] ?? this.previous?.files[path])?.digest
  }

  readonly read = async (path: string): Promise<string> => readFileSync(join(this.dir, path), 'utf8')

  /**
   * Removes what this build did not make (unless `prune` is false: a revision keeps every file);
   * returns what the archive holds (without the manifest digest the store adds).
   */
  finish(prune = true): { files: ArchiveState['files']; count: number; bytes: number; largest: number } {
    if (prune) for (const path of listTree(this.dir)) if (!(path in this.#files)) rmSync(join(this.dir, path), { force: true })
    const sizes = Object.values(this.#files).map((f) => f.size)
    return { files: this.#files, count: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0), largest: Math.max(0, ...sizes) }
  }
}
