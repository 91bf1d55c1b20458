/**
 * The version of the build's code (every file of scripts/ and src/, by path and content, the
 * packages installed, and Node's version): another byte, another key. scripts/build.mjs bundles the build once per key; scripts/dev.ts
 * stamps it on the archive it rebuilt. Plain JavaScript: it runs before anything is compiled.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const scripts = dirname(fileURLToPath(import.meta.url))

/** Where `npm run dev` says "rebuilt, reload" (wrangler.toml `[build] watch_dir`); relative to the checkout. */
export const RELOAD_STAMP = '.herald/dev/reload'

export function codeKey() {
  const hash = createHash('sha256').update(`${process.version}\n`)
  const add = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) add(path)
      else hash.update(`${path}\n`).update(readFileSync(path)).update('\n')
    }
  }
  add(scripts)
  add(join(scripts, '../src'))
  // The build's bundle has the packages in it: another `npm install`, another bundle.
  try {
    hash.update(readFileSync(join(scripts, '../node_modules/.package-lock.json')))
  } catch {
    // no npm install yet: the bundle fails to build and says why
  }
  return hash.digest('hex').slice(0, 16)
}
