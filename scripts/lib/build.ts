/**
 * The build step: content modules → checked → compiled archive on disk (src/archive/format.ts),
 * the directory wrangler.toml `[assets]` deploys beside the Worker. Written beside the old archive
 * and swapped in at the end, so `wrangler dev` never serves a half-written one.
 */
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { compileArchive } from '../../src/archive/compile'
import type { Manifest } from '../../src/archive/format'
import type { Content } from '../../src/content/article'
import { checkRepository, formatProblem } from './repo'

export const ARCHIVE_DIR = '.herald/archive'

export interface BuildOptions {
  /** The checkout (or a workspace laid out the same way). */
  root: string
  /** Skips `npm run check` (the bench's generated content is valid by construction). */
  skipCheck?: boolean
  builtAt?: Date
}

export interface BuildResult {
  manifest: Manifest
  files: number
  bytes: number
  largestFile: number
  dir: string
}

export class ContentProblems extends Error {}

export async function buildArchive(options: BuildOptions): Promise<BuildResult> {
  const { root } = options
  if (!options.skipCheck) {
    const { problems } = await checkRepository(root)
    if (problems.length > 0) throw new ContentProblems(problems.map(formatProblem).join('\n'))
  }
  const content = (await import(pathToFileURL(join(root, 'content/index.ts')).href)).default as Content
  const dir = join(root, ARCHIVE_DIR)
  const next = `${dir}.next`
  rmSync(next, { recursive: true, force: true })
  let files = 0
  let bytes = 0
  let largestFile = 0
  const manifest = await compileArchive(content, { builtAt: options.builtAt ?? new Date() }, (path, text) => {
    const file = join(next, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
    const size = Buffer.byteLength(text)
    files++
    bytes += size
    largestFile = Math.max(largestFile, size)
  })
  rmSync(`${dir}.old`, { recursive: true, force: true })
  try {
    renameSync(dir, `${dir}.old`)
  } catch {
    // first build: nothing to move aside
  }
  renameSync(next, dir)
  rmSync(`${dir}.old`, { recursive: true, force: true })
  return { manifest, files, bytes, largestFile, dir }
}
