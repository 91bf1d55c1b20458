/**
 * `npm run build` (and wrangler's `[build]` step before `dev`, `deploy` and the dry run): checks the
 * content and compiles it into `.herald/archive/`, the Worker's ARCHIVE static assets.
 * The archive does not depend on the environment: one build serves any SITE_URL.
 */
import { buildArchive, ContentProblems } from './lib/build'

const started = performance.now()
try {
  const { manifest, files, bytes, dir } = await buildArchive({ root: process.cwd() })
  const ms = Math.round(performance.now() - started)
  console.log(`archive: ${manifest.stories} stories, ${manifest.listings.length} listings, ${files} files (${(bytes / 1048576).toFixed(1)} MiB) in ${dir} (${ms} ms)`)
} catch (err) {
  if (err instanceof ContentProblems) {
    console.error(err.message)
    console.error('archive: content problems (above); nothing was built')
  } else {
    console.error(`archive: ${err instanceof Error ? err.message : String(err)}`)
  }
  process.exit(1)
}
