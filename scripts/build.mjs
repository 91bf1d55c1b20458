/**
 * `npm run build` (and wrangler.toml's `[build]` command): runs scripts/build-archive.ts from a
 * bundle esbuild makes once per version of the build's code, under `.herald/bin/` (safe to
 * delete). A TypeScript loader compiling the build's hundred modules on every run cost more than
 * a one-article rebuild itself; plain JavaScript because it runs before anything is compiled.
 *
 *   node scripts/build.mjs [--env production] [--clean]
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const scripts = dirname(fileURLToPath(import.meta.url))
const checkout = join(scripts, '..')

/** Every file of the build's code (scripts/ and src/), by path and content: another byte, another bundle. */
function codeKey() {
  const hash = createHash('sha256').update(`${process.version}\n`)
  const add = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) add(path)
      else if (/\.[cm]?[jt]sx?$/.test(entry.name)) hash.update(`${path}\n`).update(readFileSync(path)).update('\n')
    }
  }
  add(scripts)
  add(join(checkout, 'src'))
  return hash.digest('hex').slice(0, 16)
}

const bundle = join(process.cwd(), '.herald/bin', `build-${codeKey()}.mjs`)
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
    // Packages resolve from the checkout's node_modules, as they do unbundled.
    packages: 'external',
    // The build finds its own code (scripts/lib/cache/ reads src/ for the cache key, bundles its
    // thread) from where its modules are, as if it ran unbundled.
    define: { 'import.meta.url': JSON.stringify(pathToFileURL(join(scripts, 'lib/cache/code-hash.ts')).href) },
    outfile: tmp,
    logLevel: 'error',
  }).catch(() => process.exit(1))
  renameSync(tmp, bundle)
  // The bundles of other versions of the code.
  for (const f of readdirSync(dirname(bundle))) if (f.startsWith('build-') && join(dirname(bundle), f) !== bundle) rmSync(join(dirname(bundle), f), { force: true })
}
await import(pathToFileURL(bundle).href)
