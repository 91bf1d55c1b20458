/** `npm run new -- "Headline"`: scaffolds content/articles/<slug>.ts as a draft. */
import sections from '../content/sections'
import site from '../content/site'
import { scaffoldArticle } from './lib/scaffold'

const args = process.argv.slice(2)
const headline = args.join(' ').trim()
// An option is not a headline: `--help` would otherwise be scaffolded as content/articles/help.ts.
if (!headline || args.some((a) => a.startsWith('--'))) {
  console.error('usage: npm run new -- "Headline of the story"')
  process.exit(2)
}
try {
  const file = scaffoldArticle({
    root: process.cwd(),
    headline,
    idAuthority: site.idAuthority,
    timeZone: site.timeZone,
    section: Object.keys(sections)[0]!,
  })
  console.log(`${file}: created as a draft; edit it, remove \`draft: true\`, then \`npm run check\``)
} catch (err) {
  console.error(`npm run new: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(2)
}
