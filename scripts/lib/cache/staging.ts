/**
 * The next archive, made beside the current one: every file of the current one hard-linked in
 * (no copy, whatever the archive's size), a changed file written as a new file over its link, a
 * file the build no longer makes removed, and the result swapped in with two renames — so
 * `wrangler dev` never serves a half-written archive, and a build that fails leaves the last one.
 */
import { createHash } from 'node:crypto'
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import type { ArchiveState } from './store'

function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) linkTree(join(from, entry.name), join(to, entry.name))
    else linkSync(join(from, entry.name), join(to, entry.name))
  }
}

function listTree(dir: string, base = dir, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) listTree(join(dir, entry.name), base, out)
    else out.push(relative(base, join(dir, entry.name)).split('\\').join('/'))
  }
  return out
}

export class Staging {
  readonly dir: string
  readonly next: string
  /** What the current archive holds, when the cache describes it (else everything is written). */
  readonly previous: ArchiveState | undefined
  readonly #files: ArchiveState['files'] = {}
  written = 0

  constructor(dir: string, previous: ArchiveState | undefined) {
    this.dir = dir
    this.next = `${dir}.next`
    rmSync(this.next, { recursive: true, force: true })
    this.previous = previous && existsSync(dir) ? previous : undefined
    if (this.previous) linkTree(dir, this.next)
    else mkdirSync(this.next, { recursive: true })
  }

  /** Hands `path` (as the last build wrote it) over to the next archive unchanged. */
  keep(path: string): boolean {
    const was = this.previous?.files[path]
    if (!was) return false
    this.#files[path] = was
    return true
  }

  /** The archive sink (compile.ts `ArchiveSink`): writes `text` unless the file there already holds it. */
  readonly sink = (path: string, text: string, digest = createHash('sha256').update(text).digest('hex')): void => {
    const size = Buffer.byteLength(text)
    // What the file in the next archive holds now: this build's earlier write of it, or the link.
    const current = (this.#files[path] ?? this.previous?.files[path])?.digest
    this.#files[path] = { digest, size }
    if (current === digest) return
    const file = join(this.next, path)
    mkdirSync(dirname(file), { recursive: true })
    // Never write through the link: that would change the current archive's file too.
    rmSync(file, { force: true })
    writeFileSync(file, text)
    this.written++
  }

  readonly read = async (path: string): Promise<string> => readFileSync(join(this.next, path), 'utf8')

  /** Swaps the next archive in; returns what it holds (without the manifest digest the store adds). */
  finish(): { files: ArchiveState['files']; count: number; bytes: number; largest: number } {
    for (const path of listTree(this.next)) if (!(path in this.#files)) rmSync(join(this.next, path), { force: true })
    rmSync(`${this.dir}.old`, { recursive: true, force: true })
    if (existsSync(this.dir)) renameSync(this.dir, `${this.dir}.old`)
    renameSync(this.next, this.dir)
    rmSync(`${this.dir}.old`, { recursive: true, force: true })
    const sizes = Object.values(this.#files).map((f) => f.size)
    return { files: this.#files, count: sizes.length, bytes: sizes.reduce((a, b) => a + b, 0), largest: Math.max(0, ...sizes) }
  }
}

