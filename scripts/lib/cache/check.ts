/**
 * The check of a whole collection from its parts: each article was checked alone when it was
 * processed (stories.ts); what is left are the site's own files, the rules between articles
 * (validate.ts `Uniqueness`, clean.ts `TagSpellings`, both fed in file order as `npm run check`
 * feeds them) and the ledger. Cheap enough to run over 100,000 cached articles on every build.
 */
import type { Article, Content } from '../../../src/content/article'
import { TagSpellings } from '../../../src/build/clean'
import { Uniqueness, validateContent, validateLedger, type Ledger, type Problem } from '../../../src/build/validate'
import type { StoryMeta } from './stories'

/** `metas[i]` is the meta of `files[i]`; the problems each article had alone are not repeated here. */
export function collectionProblems(config: Content, files: readonly string[], metas: readonly StoryMeta[], ledger: Ledger, ledgerFile: string): Problem[] {
  const problems = validateContent({ ...config, articles: [] }, { articleFiles: [] })
  const unique = new Uniqueness()
  const spellings = new TagSpellings()
  files.forEach((file, i) => {
    const meta = metas[i]!
    problems.push(...unique.add(file, meta))
    for (const tag of meta.tags) {
      const clash = spellings.add(file, tag)
      if (clash) problems.push(clash)
    }
  })
  const ids = metas.map((m) => (m.unloaded ? undefined : { id: m.id }) as Article)
  problems.push(...validateLedger(ledger, { ...config, articles: ids }, { articleFiles: files }, ledgerFile))
  return problems
}
