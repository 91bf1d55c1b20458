/**
 * One article module → what the build keeps of it: its problems (the check of that article alone),
 * the story record exactly as compile produces it (src/build/compile.ts `storyRecord`, as JSON
 * text, whatever fields it has), and the few facts the layout and the rules between articles need
 * (`StoryMeta`). This is the work an incremental build skips for an unchanged module.
 */
import type { Article, Content } from '../../../src/content/article'
import { ARCHIVE_ORIGIN } from '../../../src/archive/format'
import { cleanContent } from '../../../src/build/clean'
import { Collection } from '../../../src/build/collection'
import { storyRecord } from '../../../src/build/compile'
import { validateContent, type Problem } from '../../../src/build/validate'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sourceHash } from './code-hash'
import { loadModules } from './modules'

/** What the layout (compile.ts `layoutArchive`) and the rules between articles read of an article. */
export interface StoryMeta {
  /** As written, for the uniqueness rules (undefined when not a string). */
  id?: string
  slug?: string
  /** Tag names as cleaned, for the spelling rule. */
  tags: string[]
  /** Absent for a draft (it appears nowhere) and for an article with problems. */
  story?: {
    anchor: string
    published: number
    updated: number
    section: string
    tags: { name: string; slug: string }[]
    authors: { key: string; homepage?: string }[]
    withdrawn?: { at: number; reason: string }
  }
}

export interface Processed {
  file: string
  /** Content hash of the source as it was read (code-hash.ts `sourceHash`). */
  hash: string
  meta: StoryMeta
  /** `JSON.stringify(storyRecord(story))`; absent for drafts and articles with problems. */
  record?: string
  problems: Problem[]
}

/** The check and compilation of one loaded article, against the rest of the content (`config`, no articles). */
export function processArticle(file: string, hash: string, article: Article, config: Content): Processed {
  const content: Content = { ...config, articles: [article] }
  const sources = { articleFiles: [file] }
  const problems = validateContent(content, sources).filter((p) => p.file === file)
  const isObject = typeof article === 'object' && article !== null
  const meta: StoryMeta = {
    ...(isObject && typeof article.id === 'string' ? { id: article.id } : {}),
    ...(isObject && typeof article.slug === 'string' ? { slug: article.slug } : {}),
    tags: [],
  }
  if (problems.length > 0 || article.draft) {
    // Tags as cleaned, for the spelling rule between articles (a story's own tags are cleaned already).
    const cleaned = cleanContent(content, sources).content.articles[0] as Partial<Article> | undefined
    meta.tags = Array.isArray(cleaned?.tags) ? cleaned.tags.filter((t): t is string => typeof t === 'string') : []
    return { file, hash, meta, problems }
  }
  const story = new Collection(content, ARCHIVE_ORIGIN).stories[0]!
  meta.tags = story.tags.map((t) => t.name)
  meta.story = {
    anchor: story.anchor,
    published: story.published.getTime(),
    updated: story.updated.getTime(),
    section: story.section.key,
    tags: story.tags.map((t) => ({ name: t.name, slug: t.slug })),
    authors: story.authors.map((a) => ({ key: a.key, ...(a.homepage ? { homepage: a.homepage } : {}) })),
    ...(story.withdrawn ? { withdrawn: { at: story.withdrawn.at.getTime(), reason: story.withdrawn.reason } } : {}),
  }
  return { file, hash, meta, record: JSON.stringify(storyRecord(story)), problems }
}

/** Files per esbuild call: large enough that the call's overhead vanishes, small enough to stream. */
export const BATCH = 256

/**
 * Loads and processes `files` (relative to `root`) in batches, handing each result on in order.
 * Each file's content hash is taken here, in the build threads, so that a clean build never reads
 * the archive's worth of sources twice on the main thread.
 */
export async function processFiles(root: string, files: readonly string[], config: Content, each: (p: Processed) => void): Promise<void> {
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH)
    const hashes = new Map(batch.map((f) => [f, sourceHash(readFileSync(join(root, f)))]))
    for (const loaded of await loadModules(root, batch)) {
      const hash = hashes.get(loaded.file)!
      if ('problems' in loaded) each({ file: loaded.file, hash, meta: { tags: [] }, problems: loaded.problems })
      else each(processArticle(loaded.file, hash, loaded.value as Article, config))
    }
  }
}
