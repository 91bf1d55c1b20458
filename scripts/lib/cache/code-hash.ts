/**
 * The part of every cache key that is not an article: the code and configuration that shape what
 * the build makes of an article. Any change to them makes every cached story stale.
 *
 * Hashed: all of src/ (compile, collection, markdown, item HTML, archive format, feeds, pages: a
 * change anywhere is cheaper to rebuild than to reason about), the build scripts (scripts/lib/),
 * content/ apart from the articles and the ledger (site, sections, authors, define, index), the
 * installed versions of the runtime dependencies (feed, markdown-it, …) and Node's version (JSON
 * and Intl formatting). The prerender target (SITE_URL, FEED_SIZE of wrangler.toml) is part of each
 * prerendered feed's own key instead, so another environment re-renders feeds only.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Bumped when the cache's own layout changes. */
export const CACHE_FORMAT = 3

/** The checkout this code runs from: its src/ and scripts/lib/ are the code that builds. */
const CODE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..')
const SKIPPED = new Set(['content/articles', 'content/ledger.json'])

export function codeHash(root: string): string {
  const hash = createHash('sha256').update(`herald-cache ${CACHE_FORMAT} ${process.version}\n`)
  const add = (base: string, rel: string) => {
    if (SKIPPED.has(rel)) return
    const path = join(base, rel)
    if (!existsSync(path)) return
    if (statSync(path).isDirectory()) for (const f of readdirSync(path).sort()) add(base, `${rel}/${f}`)
    else hash.update(`${rel}\n`).update(readFileSync(path)).update('\n')
  }
  add(CODE_ROOT, 'src')
  add(CODE_ROOT, 'scripts/lib')
  add(root, 'content')
  const pkg = JSON.parse(readFileSync(join(CODE_ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }
  for (const dep of Object.keys(pkg.dependencies ?? {}).sort()) {
    let version = 'missing'
    try {
      version = (JSON.parse(readFileSync(join(CODE_ROOT, 'node_modules', dep, 'package.json'), 'utf8')) as { version: string }).version
    } catch {
      // not installed: the build fails on its own
    }
    hash.update(`${dep}@${version}\n`)
  }
  return hash.digest('hex').slice(0, 32)
}

/** A content hash of one article module's source. */
export function sourceHash(source: Buffer | string): string {
  return createHash('sha256').update(source).digest('hex').slice(0, 32)
}
