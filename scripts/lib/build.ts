/**
 * The build step: content modules → checked → compiled archive on disk (src/archive/format.ts),
 * the directory wrangler.toml `[assets]` deploys beside the Worker. Written beside the old archive
 * and swapped in at the end, so `wrangler dev` never serves a half-written one.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parse } from 'smol-toml'
import { compileArchive } from '../../src/build/compile'
import type { Manifest } from '../../src/archive/format'
import { loadContent } from './load-content'
import { checkRepository, formatProblem } from './repo'

export const ARCHIVE_DIR = '.herald/archive'

export interface BuildOptions {
  /** The checkout (or a workspace laid out the same way). */
  root: string
  /** wrangler.toml environment whose SITE_URL and FEED_SIZE the feeds are prerendered for; top-level vars when absent. */
  env?: string
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

/**
 * SITE_URL and FEED_SIZE of an environment, as wrangler reads them (`[env.<name>.vars]` are not
 * inherited): what the prerendered feeds are made for. A worker with other values renders instead.
 */
export function prerenderTarget(root: string, env: string | undefined): { origin: string; feedSize: number } {
  const config = parse(readFileSync(join(root, 'wrangler.toml'), 'utf8')) as {
    vars?: Record<string, string>
    env?: Record<string, { vars?: Record<string, string> }>
  }
  const vars = env ? config.env?.[env]?.vars : config.vars
  const where = `wrangler.toml: ${env ? `env.${env}.` : ''}vars`
  // `npm run dev` (scripts/dev.ts) serves where the developer asked and says so here, so the feeds it
  // prerenders carry the origin the dev server really has.
  const devOrigin = env ? undefined : process.env.HERALD_DEV_SITE_URL
  if (devOrigin) return { origin: new URL(devOrigin).origin, feedSize: Number(vars?.FEED_SIZE ?? 50) }
  if (!vars?.SITE_URL) throw new Error(`${where}.SITE_URL is not set`)
  const feedSize = Number(vars.FEED_SIZE ?? 50)
  if (!Number.isInteger(feedSize) || feedSize < 1) throw new Error(`${where}.FEED_SIZE: expected a whole number, got "${vars.FEED_SIZE}"`)
  return { origin: new URL(vars.SITE_URL).origin, feedSize }
}

export class ContentProblems extends Error {}

export async function buildArchive(options: BuildOptions): Promise<BuildResult> {
  const { root } = options
  const content = await loadContent(root)
  if (!options.skipCheck) {
    const { problems } = await checkRepository(root, content)
    if (problems.length > 0) throw new ContentProblems(problems.map(formatProblem).join('\n'))
  }
  const dir = join(root, ARCHIVE_DIR)
  const next = `${dir}.next`
  rmSync(next, { recursive: true, force: true })
  let files = 0
  let bytes = 0
  let largestFile = 0
  const prerender = prerenderTarget(root, options.env)
  const manifest = await compileArchive(content, { builtAt: options.builtAt ?? new Date(), prerender }, (path, text) => {
    const file = join(next, path)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, text)
    const size = Buffer.byteLength(text)
    files++
    bytes += size
    largestFile = Math.max(largestFile, size)
  }, async (path) => readFileSync(join(next, path), 'utf8'))
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
