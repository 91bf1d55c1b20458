/** `npm run new -- "Headline"`: one new draft article, its ledger entry, and the regenerated index. */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeArticleIndex } from './article-index'
import { LEDGER, readLedger } from './repo'

/** A URL slug from a headline: "Fleeing Fear: Central Asians…" → "fleeing-fear-central-asians". */
export function slugify(headline: string): string {
  return headline
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '')
}

/** The instant `now` as written in `timeZone`, with its offset: 2026-11-25T09:30:00-05:00. */
export function localInstant(now: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    }).formatToParts(now).map((p) => [p.type, p.value]),
  )
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!)
  const offset = Math.round((local - Math.floor(now.getTime() / 1000) * 1000) / 60_000)
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0')
  const mm = String(Math.abs(offset) % 60).padStart(2, '0')
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset < 0 ? '-' : '+'}${hh}:${mm}`
}

export interface ScaffoldOptions {
  root: string
  headline: string
  idAuthority: string
  timeZone: string
  section: string
  now?: Date
}

/** Writes the article and returns its path relative to `root`. Never overwrites a file or reuses an id. */
export function scaffoldArticle(o: ScaffoldOptions): string {
  const base = slugify(o.headline)
  if (!base) throw new Error(`cannot make a slug from "${o.headline}": a slug is made of its Latin letters and digits (a-z, 0-9), and it has none; give a headline with some, then edit the headline in the file`)
  const ledger = readLedger(o.root)
  const taken = new Set(Object.values(ledger))
  let slug = base
  for (let n = 2; existsSync(join(o.root, 'content/articles', `${slug}.ts`)) || taken.has(`tag:${o.idAuthority}:${slug}`); n++) {
    slug = `${base}-${n}`
  }
  const file = `content/articles/${slug}.ts`
  const id = `tag:${o.idAuthority}:${slug}`
  writeFileSync(
    join(o.root, file),
    `import { defineArticle } from '../define'

export default defineArticle({
  // Permanent: minted once, never edited, even when the headline or slug changes.
  id: ${JSON.stringify(id)},
  slug: ${JSON.stringify(slug)},
  headline: ${JSON.stringify(o.headline)},
  dek: 'One or two sentences that sum up the story.',
  section: ${JSON.stringify(o.section)},
  tags: [],
  published: ${JSON.stringify(localInstant(o.now ?? new Date(), o.timeZone))},
  timeZone: ${JSON.stringify(o.timeZone)},
  // Remove when the story is ready to run.
  draft: true,
  // To take the story down once it ran (its page then answers 410 Gone with the reason):
  // withdrawn: { at: '<instant, like published>', reason: 'Why, for readers.' },
  body: \`
Write the story here, in Markdown.
\`,
})
`,
  )
  writeFileSync(join(o.root, LEDGER), JSON.stringify({ ...ledger, [file]: id }, null, 2) + '\n')
  writeArticleIndex(join(o.root, 'content/articles'))
  return file
}

