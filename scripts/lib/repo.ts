/** Reads the content of a checkout (or of a fixture folder laid out the same way) for the check. */
import { readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { Content } from '../../src/content/article'
import { formatProblem, validateContent, validateLedger, type Ledger, type Problem } from '../../src/build/validate'
import { articleFiles, articleIndexIsCurrent } from './article-index'
import { loadContent } from './load-content'

export const LEDGER = 'content/ledger.json'

export function readLedger(root: string): Ledger {
  try {
    return JSON.parse(readFileSync(join(root, LEDGER), 'utf8')) as Ledger
  } catch {
    return {}
  }
}

/** Every problem of the content under `root` (loaded unless given): index, values, ledger. */
export async function checkRepository(root: string, loaded?: Content): Promise<{ problems: Problem[]; articles: number }> {
  const dir = join(root, 'content/articles')
  const rel = (f: string) => relative(root, join(dir, f)).split('\\').join('/')
  const problems: Problem[] = []
  if (!articleIndexIsCurrent(dir)) {
    problems.push({ file: rel('index.ts'), field: '(index)', message: 'does not list exactly the files in content/articles/; run `npm run index`' })
  }
  const content = loaded ?? (await loadContent(root))
  // Files in the folder's order, which is the generated index's order when it is current.
  const files = articleFiles(dir).map(rel)
  const sources = { articleFiles: files, site: 'content/site.ts' }
  if (problems.length === 0) {
    problems.push(...validateContent(content, sources), ...validateLedger(readLedger(root), content, sources, LEDGER))
  }
  return { problems, articles: content.articles.length }
}

export { formatProblem }
