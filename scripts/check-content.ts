/**
 * `npm run check`: validates the whole collection. Prints one line per problem,
 * `content/articles/x.ts: field: what is wrong`, and exits 1 if there is any.
 */
import { checkRepository, formatProblem } from './lib/repo'

try {
  const { problems, articles } = await checkRepository(process.cwd())
  if (problems.length > 0) {
    for (const p of problems) console.error(formatProblem(p))
    console.error(`content check: ${problems.length} problem(s); nothing was deployed`)
    process.exit(1)
  }
  console.log(`content check: ${articles} article(s), no problems`)
} catch (err) {
  // The configuration (content/site.ts, sections, authors) did not load: its file and line.
  console.error(`content check: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
}
