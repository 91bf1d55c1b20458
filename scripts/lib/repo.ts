/** Reads the content of a checkout (or of a fixture folder laid out the same way) for the check. */
import { readFileSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { Content } from '../../src/content/article'
import { formatProblem, validateContent, validateLedger, type Ledger, type Problem } from '../../src/build/validate'
import { articleFiles, articleIndexIsCurrent } from './article-index'
import { loadConfig, loadModules } from './cache/modules'

export const LEDGER = 'content/ledger.json'

export function readLedger(root: string): Ledger {
  try {
    return JSON.parse(readFileSync(join(root, LEDGER), 'utf8')) as Ledger
  } catch {
    return {}
  }
}

/**
 * Every problem of the content under `root` (loaded unless given): index, values, ledger. Modules
 * are loaded as the build loads them (cache/modules.ts), so the check refuses what the build
 * refuses, and a module that does not load is named by file and line, not thrown.
 */
export async function checkRepository(root: string, loaded?: Content): Promise<{ problems: Problem[]; articles: number }> {
  const dir = join(root, 'content/articles')
  // Windows' separator only: on Linux and macOS a backslash is a character of a file name.
  const rel = (f: string) => relative(root, join(dir, f)).split(sep).join('/')
  // Files in the folder's order, which is the generated index's order when it is current.
  const files = articleFiles(dir).map(rel)
  if (!articleIndexIsCurrent(dir)) {
    return { problems: [{ file: rel('index.ts'), field: '(index)', message: 'does not list exactly the files in content/articles/; run `npm run index`' }], articles: files.length }
  }
  const problems: Problem[] = []
  let content = loaded
  let sources = { articleFiles: files, site: 'content/site.ts' }
  let ledger = readLedger(root)
  if (!content) {
    const modules = await loadModules(root, files)
    const ok = modules.filter((m): m is Extract<typeof m, { value: unknown }> => 'value' in m)
    for (const m of modules) if ('problems' in m) problems.push(...m.problems)
    content = { ...(await loadConfig(root)), articles: ok.map((m) => m.value as Content['articles'][number]) }
    sources = { ...sources, articleFiles: ok.map((m) => m.file) }
    // A module that did not load has its own problem; the ledger is not held against it too.
    const unloaded = new Set(modules.flatMap((m) => ('problems' in m ? [m.file] : [])))
    ledger = Object.fromEntries(Object.entries(ledger).filter(([file]) => !unloaded.has(file)))
  }
  problems.push(...validateContent(content, sources), ...validateLedger(ledger, content, sources, LEDGER))
  return { problems, articles: content.articles.length }
}

export { formatProblem }
