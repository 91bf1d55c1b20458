/** `npm run new -- "Headline"`: scaffolds content/articles/<slug>.ts as a draft. */
import sections from '../content/sections'
import site from '../content/site'
import { scaffoldArticle } from './lib/scaffold'

const headline = process.argv.slice(2).join(' ').trim()
if (!headline) {
  console.error('usage: npm run new -- "Headline of the story"')
  process.exit(2)
}
const file = scaffoldArticle({
  root: process.cwd(),
  headline,
  idAuthority: site.idAuthority,
  timeZone: site.timeZone,
  section: Object.keys(sections)[0]!,
})
console.log(`${file}: created as a draft; edit it, remove \`draft: true\`, then \`npm run check\``)
