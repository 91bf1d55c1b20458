/**
 * A generated newsroom for benchmarks: N typed article modules (about 5 KB of body each) in a copy
 * of the project under bench/work/, built by `npm run build` (content check + archive) and bundled
 * by `wrangler deploy --dry-run` exactly as a deploy would.
 */
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { writeArticleIndex } from '../../scripts/lib/article-index'
import type { Article } from '../../src/content/article'

const ROOT = resolve('.')
const WRANGLER = join(ROOT, 'node_modules/wrangler/bin/wrangler.js')

const WORDS = 'the newsroom reported that officials and residents across the region said on monday they expected further delays at border crossings while authorities reviewed migration rules and employers counted the cost of new restrictions on hiring foreign workers'.split(' ')

function paragraph(seed: number, words: number): string {
  const out: string[] = []
  for (let i = 0; i < words; i++) out.push(WORDS[(seed * 7 + i * 13) % WORDS.length]!)
  const text = out.join(' ')
  return text[0]!.toUpperCase() + text.slice(1) + '.'
}

/** Article i of a generated archive, ten minutes after article i−1. */
export function benchArticle(i: number, start = Date.parse('2020-01-01T00:00:00Z')): Article {
  const body = [
    paragraph(i, 120),
    paragraph(i + 1, 110),
    `> "${paragraph(i + 2, 40)}" a spokesperson said.`,
    paragraph(i + 3, 130),
    `Read [the earlier report](/articles/bench-${Math.max(0, i - 1)}) for background.`,
    paragraph(i + 4, 120),
    paragraph(i + 5, 100),
  ].join('\n\n')
  return {
    id: `tag:herald.example.com,2024:bench-${i}`,
    slug: `bench-${i}`,
    headline: `Bench story ${i}: ${paragraph(i, 8).slice(0, -1)}`,
    dek: paragraph(i + 9, 30),
    section: 'news',
    tags: [`Topic ${i % 40}`, `Region ${i % 7}`],
    published: new Date(start + i * 600_000).toISOString().replace(/\.\d{3}Z$/, 'Z') as Article['published'],
    timeZone: 'UTC',
    body,
  }
}

function articleSource(i: number): string {
  return `import { defineArticle } from '../define'\nexport default defineArticle(${JSON.stringify(benchArticle(i), null, 2)} as const)\n`
}

export interface BenchWorkspace {
  root: string
  articles: number
  bundle: string
  /** The compiled archive (static assets) beside the bundle. */
  archive: string
  bundleBytes: number
  bundleGzipBytes: number
  /** `npm run build`: content check and archive compilation, wall seconds. */
  buildSeconds: number
  archiveFiles: number
  archiveBytes: number
  largestFileBytes: number
}

/**
 * `npm run build`'s command (package.json), as the bench runs it: on this Node, not npm's lookup
 * of `node` (npm's own start is not the build's time). wrangler.toml's `[build]` runs the same.
 */
export const BUILD_COMMAND: readonly string[] = (() => {
  const [node, ...args] = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { build: string } }).scripts.build.split(' ')
  if (node !== 'node') throw new Error(`package.json scripts.build no longer starts with node: ${node}`)
  return [process.execPath, ...args]
})()

function walk(dir: string): { files: number; bytes: number; largest: number } {
  let files = 0
  let bytes = 0
  let largest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      const sub = walk(path)
      files += sub.files
      bytes += sub.bytes
      largest = Math.max(largest, sub.largest)
    } else {
      const size = statSync(path).size
      files++
      bytes += size
      largest = Math.max(largest, size)
    }
  }
  return { files, bytes, largest }
}

const COPIED = ['src', 'scripts', 'migrations', 'wrangler.toml', 'tsconfig.json', 'package.json']

/** SHA-256 of every file a workspace copies (and of this generator): a workspace built from other code is rebuilt. */
function sourceHash(): string {
  const hash = createHash('sha256')
  const add = (path: string) => {
    if (statSync(path).isDirectory()) for (const f of readdirSync(path).sort()) add(join(path, f))
    else hash.update(path.slice(ROOT.length)).update(readFileSync(path))
  }
  for (const part of [...COPIED, 'content/site.ts', 'content/sections.ts', 'content/authors.ts', 'content/define.ts', 'bench/lib/workspace.ts']) add(join(ROOT, part))
  return hash.digest('hex')
}

/**
 * Builds (or reuses) bench/work/<n>/ with n generated articles, its archive and its dry-run bundle.
 * A workspace is reused only when it was built from the code as it is now (same source hash), so
 * a section run alone (`npm run bench -- crawl`) does not rebuild 100,000 articles for nothing.
 */
export function benchWorkspace(n: number): BenchWorkspace {
  const root = join(ROOT, 'bench/work', String(n))
  const bundleDir = join(root, 'dist')
  const bundle = join(bundleDir, 'index.js')
  const hash = sourceHash()
  const hashFile = join(root, 'source-hash.txt')
  if (existsSync(bundle) && (!existsSync(hashFile) || readFileSync(hashFile, 'utf8') !== hash)) rmSync(bundleDir, { recursive: true, force: true })
  if (!existsSync(bundle)) {
    rmSync(root, { recursive: true, force: true })
    mkdirSync(root, { recursive: true })
    for (const part of COPIED) cpSync(join(ROOT, part), join(root, part), { recursive: true })
    mkdirSync(join(root, 'content/articles'), { recursive: true })
    for (const f of readdirSync(join(ROOT, 'content'))) {
      if (f !== 'articles' && f !== 'ledger.json') cpSync(join(ROOT, 'content', f), join(root, 'content', f))
    }
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'))
    const ledger: Record<string, string> = {}
    for (let i = 0; i < n; i++) {
      writeFileSync(join(root, 'content/articles', `bench-${i}.ts`), articleSource(i))
      ledger[`content/articles/bench-${i}.ts`] = benchArticle(i).id
    }
    writeFileSync(join(root, 'content/ledger.json'), JSON.stringify(ledger, null, 1))
    writeArticleIndex(join(root, 'content/articles'))
  }
  const archive = join(root, '.herald/archive')
  let buildSeconds = NaN
  if (!existsSync(bundle)) {
    const t0 = performance.now()
    execFileSync(BUILD_COMMAND[0]!, BUILD_COMMAND.slice(1), { cwd: root, stdio: 'pipe' })
    buildSeconds = (performance.now() - t0) / 1000
    // The dry run bundles the Worker; it runs the [build] step again first, as a deploy does.
    writeFileSync(join(root, 'build-seconds.txt'), String(buildSeconds))
    // --outfile too: the multipart upload `wrangler check startup --worker` profiles.
    execFileSync(process.execPath, [WRANGLER, 'deploy', '--dry-run', '--outdir', bundleDir, '--outfile', join(bundleDir, 'worker.bundle')], {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, CI: 'true', NODE_OPTIONS: '--max-old-space-size=1280' },
    })
    writeFileSync(hashFile, hash)
  }
  if (Number.isNaN(buildSeconds)) buildSeconds = Number(readFileSync(join(root, 'build-seconds.txt'), 'utf8'))
  const bytes = readFileSync(bundle)
  const assets = walk(archive)
  return {
    root,
    articles: n,
    bundle,
    archive,
    bundleBytes: statSync(bundle).size,
    bundleGzipBytes: gzipSync(bytes).length,
    buildSeconds,
    archiveFiles: assets.files,
    archiveBytes: assets.bytes,
    largestFileBytes: assets.largest,
  }
}
