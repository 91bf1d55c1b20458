/**
 * content/articles/index.ts is generated from the directory listing, so adding an article is one
 * new file plus `npm run new` (or `npm run index`); `npm run check` fails when the list is stale.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export const ARTICLE_INDEX = 'index.ts'

/** Whether a name in content/articles/ is an article module (not the index, not a declaration file). */
export function isArticleFile(name: string): boolean {
  return name.endsWith('.ts') && name !== ARTICLE_INDEX && !name.endsWith('.d.ts')
}

/** The article files of a folder, sorted by name, the index itself excluded. */
export function articleFiles(dir: string): string[] {
  return readdirSync(dir).filter(isArticleFile).sort()
}

function identifier(file: string): string {
  const camel = file
    .replace(/\.ts$/, '')
    .replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))
  return `article_${camel}`
}

/**
 * A file name as a single-quoted string literal: `o'brien.ts` and `back\slash.ts` (legal on Linux
 * and macOS) made the index invalid TypeScript, or named `./backslash`. Other names are as before,
 * so an index generated before stays current.
 */
function quoted(name: string): string {
  return `'${name.replace(/[\\']/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`
}

/** The source text of the index for these files. */
export function renderArticleIndex(files: readonly string[]): string {
  // `a-b.ts` and `a_b.ts` make one identifier: the later file gets a number, so each is imported.
  const taken = new Set<string>()
  const names = files.map((f) => {
    let name = identifier(f)
    for (let n = 2; taken.has(name); n++) name = `${identifier(f)}_${n}`
    taken.add(name)
    return name
  })
  // A base name has no "_" after `article_`, so a numbered one is no other file's.
  const imports = files.map((f, i) => `import ${names[i]} from ${quoted(`./${f.replace(/\.ts$/, '')}`)}`)
  return [
    '// Generated from the files in this folder by `npm run index` (also run by `npm run new`).',
    '// Do not edit: `npm run check` fails when this list differs from the folder.',
    "import type { Article } from '../../src/content/article'",
    ...imports,
    '',
    'export const articleFiles: readonly string[] = [',
    ...files.map((f) => `  ${quoted(f)},`),
    ']',
    '',
    'export const articles: readonly Article[] = [',
    ...names.map((name) => `  ${name},`),
    ']',
    '',
  ].join('\n')
}

/** Whether the index on disk matches the folder. */
export function articleIndexIsCurrent(dir: string): boolean {
  let current: string
  try {
    current = readFileSync(join(dir, ARTICLE_INDEX), 'utf8')
  } catch {
    return false
  }
  return current === renderArticleIndex(articleFiles(dir))
}

export function writeArticleIndex(dir: string): void {
  writeFileSync(join(dir, ARTICLE_INDEX), renderArticleIndex(articleFiles(dir)))
}
