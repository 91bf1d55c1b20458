/**
 * `npm run build` (and wrangler's `[build]` step before `dev`, `deploy` and the dry run): checks the
 * content and compiles it into `.herald/archive/`, the Worker's ARCHIVE static assets.
 * Stories and listings do not depend on the environment; the first page of every feed is also
 * prerendered for the environment's SITE_URL and FEED_SIZE (a worker with other values renders).
 *
 *   tsx scripts/build-archive.ts [--env production]
 */
import { parseArgs } from 'node:util'
import { buildArchive, ContentProblems } from './lib/build'

const { values } = parseArgs({ options: { env: { type: 'string' } } })
const started = performance.now()
try {
  const { manifest, files, bytes, dir } = await buildArchive({ root: process.cwd(), env: values.env })
  const ms = Math.round(performance.now() - started)
  console.log(`archive: ${manifest.stories} stories, ${manifest.listings.length} listings, ${files} files (${(bytes / 1048576).toFixed(1)} MiB) in ${dir}, feeds prerendered for ${manifest.prerendered?.origin} (${ms} ms)`)
} catch (err) {
  if (err instanceof ContentProblems) {
    console.error(err.message)
    console.error('archive: content problems (above); nothing was built')
  } else {
    console.error(`archive: ${err instanceof Error ? err.message : String(err)}`)
  }
  process.exit(1)
}
