import type { Article } from '../src/content/article'
import type authors from './authors'
import type sections from './sections'

/** Section keys an article may name (content/sections.ts). */
export type SectionKey = keyof typeof sections
/** Author keys an article may name (content/authors.ts). */
export type AuthorKey = keyof typeof authors

/**
 * Declares one article. Only types happen here, so the editor gets completion and an error
 * for a missing field or an unknown section/author; `npm run check` validates the values.
 */
export function defineArticle(article: Article<SectionKey, AuthorKey>): Article<SectionKey, AuthorKey> {
  return article
}
