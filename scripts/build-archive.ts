/**
 * `npm run build` (and wrangler's `[build]` step before `dev`, `deploy` and the dry run): checks the
 * content and compiles it into `.herald/archive/`, the Worker's ARCHIVE static assets.
 * Stories and listings do not depend on the environment; the first page of every feed is also
 * prerendered for the environment's SITE_URL and FEED_SIZE (a worker with other values renders).
 *
 * Incremental: `.herald/cache/` keeps what the last build made of each article module, so only
 * changed modules are read, checked and rendered (`--clean`, or deleting the folder, builds from
 * nothing; the archive is the same byte for byte).
 *
 *   node scripts/build.mjs [--env production] [--clean]   (this module's `run`, bundled: scripts/build.mjs)
 */
import { parseArgs } from 'node:util'
import type { FolderStats } from './folder-stats.mjs'
import { assetCountWarning, buildArchive, ContentProblems } from './lib/build'

/** Runs the build as the command line asks; `folderStats`: the launcher's listing of content/articles/, taken while this module loaded. */
export async function run(folderStats?: Promise<FolderStats>): Promise<void> {
  const { values } = parseArgs({ options: { env: { type: 'string' }, clean: { type: 'boolean' } } })
  const started = performance.now()
  // Stages on a terminal; in CI (or piped) only the summary line.
  const progress = process.stdout.isTTY && !process.env.CI ? (line: string) => console.log(line) : undefined
  try {
    const { manifest, files, bytes, dir, written, processed, articles } = await buildArchive({ root: process.cwd(), env: values.env, clean: values.clean, progress, folderStats })
    const ms = Math.round(performance.now() - started)
    const warning = assetCountWarning(files)
    if (warning) console.error(warning)
    console.log(`archive: ${manifest.stories} stories, ${manifest.listings.length} listings, ${files} files (${(bytes / 1048576).toFixed(1)} MiB) in ${dir}, feeds prerendered for ${manifest.prerendered?.origin}; ${processed} of ${articles} article modules rendered, ${written} files written (${ms} ms)`)
  } catch (err) {
    if (err instanceof ContentProblems) {
      console.error(err.message)
      console.error('archive: content problems (above); nothing was built')
    } else {
      console.error(`archive: ${err instanceof Error ? err.message : String(err)}`)
    }
    process.exit(1)
  }
}
