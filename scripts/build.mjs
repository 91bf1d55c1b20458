/**
 * `npm run build` (and wrangler.toml's `[build]` command): runs scripts/build-archive.ts from a
 * bundle esbuild makes once per version of the build's code, under `.herald/bin/` (safe to
 * delete). A TypeScript loader compiling the build's hundred modules on every run cost more than
 * a one-article rebuild itself; plain JavaScript because it runs before anything is compiled.
 *
 *   node scripts/build.mjs [--env production] [--clean]
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import * as nodeModule from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { codeKey, RELOAD_STAMP } from './code-key.mjs'
import { statArticles, worthAThread } from './folder-stats.mjs'

const scripts = dirname(fileURLToPath(import.meta.url))
const key = codeKey()

// `npm run dev` rebuilds on content edits itself, then touches RELOAD_STAMP, one of wrangler's
// watch_dir, for wrangler to load the new archive: wrangler runs this command first, which then has
// nothing to build — unless the code changed since (another key), when it builds as always.
if (process.env.HERALD_DEV_RELOAD && existsSync(RELOAD_STAMP) && readFileSync(RELOAD_STAMP, 'utf8') === key) process.exit(0)

// Listed and stat'ed on a thread while the build's modules load and it opens its cache.
const folderStats = worthAThread(process.cwd()) ? statArticles(process.cwd(), process.argv.includes('--clean')) : undefined
folderStats?.catch(() => {})

const bundle = join(process.cwd(), '.herald/bin', `build-${key}.mjs`)
if (!existsSync(bundle)) {
  const { build } = await import('esbuild')
  mkdirSync(dirname(bundle), { recursive: true })
  const tmp = `${bundle}.${process.pid}.tmp.mjs`
  await build({
    entryPoints: [join(scripts, 'build-archive.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    // The packages in the bundle too, rather than Node's loader finding and compiling zod's and the
    // others' modules one by one (with the compile cache below: a one-edit rebuild at 100,000 took
    // 0.94x the time). esbuild itself runs its binary from where npm put it. Another `npm install`
    // is another key (code-key.mjs).
    external: ['esbuild'],
    // The build finds its own code (scripts/lib/cache/ reads src/ for the cache key, bundles its
    // thread) from where its modules are, as if it ran unbundled.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(scripts, 'lib/cache/code-hash.ts')).href) },
    outfile: tmp,
    logLevel: 'error',
  }).catch(() => process.exit(1))
  renameSync(tmp, bundle)
  // The bundles of other versions of the code, and V8's code for them.
  for (const f of readdirSync(dirname(bundle))) if ((f.startsWith('build-') || f === 'v8') && join(dirname(bundle), f) !== bundle) rmSync(join(dirname(bundle), f), { recursive: true, force: true })
}
// V8 keeps the bundle's compiled code under .herald/bin/ too, from one run to the next (Node 22.1 and later).
nodeModule.enableCompileCache?.(join(dirname(bundle), 'v8'))
const { run } = await import(pathToFileURL(bundle).href)
await run(folderStats)
