/**
 * One article module → what the build keeps of it: its problems (the check of that article alone),
 * the story record exactly as compile produces it (src/build/compile.ts `storyRecord`, as JSON
 * text, whatever fields it has), and the few facts the layout and the rules between articles need
 * (`StoryMeta`). This is the work an incremental build skips for an unchanged module.
 */
import type { Article, Content } from '../../../src/content/article'
import { Archive } from '../../../src/archive/archive'
import { ARCHIVE_ORIGIN, BLOCK_SIZE, recordsFile, type ItemTemplate, type StoryRecord } from '../../../src/archive/format'
import { parseArchiveJson } from '../../../src/archive/errors'
import { listingDescription } from '../../../src/site-map'
import { cleanContent } from '../../../src/build/clean'
import { Collection } from '../../../src/build/collection'
import { layoutArchive, storyRecord } from '../../../src/build/compile'
import { blockItems } from '../../../src/build/items'
import { pageRecord } from '../../../src/build/pages'
import { catalogue } from './catalogue'
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
  /** The module did not load, or its default export is no object: nothing of it is held against the ledger. */
  unloaded?: true
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
  /** Its article page and feed items (`Rendered`), when rendered. */
  rendered?: Rendered
  problems: Problem[]
}

/**
 * What the archive holds of a story beside its record: its article page (`PageRecord` as JSON
 * text, for `pages/<n>.txt`) and its feed item in each format for one origin (for `items/<n>.txt`).
 * Rendered where the story is processed (a build thread), not over the whole archive at the end.
 */
export interface Rendered {
  page: string
  origin: string
  /** RSS, Atom and JSON Feed items (without the story's HTML), in that order. */
  items: [ItemTemplate, ItemTemplate, ItemTemplate]
}

/** What a story's page and items are rendered from: the cache keeps these for each story. */
export interface Renderable {
  hash: string
  meta: StoryMeta
  record: string
}

/**
 * The article pages and feed items of `stories`, rendered by the Worker's own code (the article
 * view, `feed` through the adapter), each story resolved from its record as the archive resolves
 * it. Neither depends on the other stories of the archive: a page shows its story, its section and
 * the site (every section from the configuration); an item its story and the origin. So they are
 * rendered against a frame made once per thread of the configuration alone (`frameOf`), not over
 * an archive of the batch laid out in memory (5% of a thread's time at 100,000). The byte-identity
 * test (tests/node/incremental.test.ts) holds this to rendering over the whole archive.
 */
export async function renderStories(config: Content, stories: readonly Renderable[], origin: string, builtAt: Date): Promise<Map<string, Rendered>> {
  const out = new Map<string, Rendered>()
  if (stories.length === 0) return out
  const byHash = new Map(stories.map((s) => [s.hash, s]))
  const pagesFrame = await frameOf(config, builtAt)
  const itemsFrame = pagesFrame.forOrigin(origin)
  const unique = [...byHash.values()]
  // Items a block's worth at a time, as the archive has them: one `feed` rendering per format, cut.
  for (let i = 0; i < unique.length; i += BLOCK_SIZE) {
    const group = unique.slice(i, i + BLOCK_SIZE)
    const records = group.map((s) => parseArchiveJson<StoryRecord>(s.hash, s.record))
    const pages = records.map((r) => JSON.stringify(pageRecord(pagesFrame, pagesFrame.resolveRecord(r))))
    const { rss, atom, json } = blockItems(itemsFrame, records.map((r) => itemsFrame.resolveRecord(r)))
    group.forEach((s, k) => out.set(s.hash, { page: pages[k]!, origin, items: [rss[k]!, atom[k]!, json[k]!] }))
  }
  return out
}

/** The last frame made (a thread renders with one configuration and one build instant). */
let frame: { config: Content; builtAt: number; archive: Archive } | undefined

/**
 * An archive of no story that has every listing a story's page or item names: home, every section
 * of the configuration, and every author (by name: no page or item shows an author's homepage,
 * which the layout takes from their stories; were one to, the incremental test's author with a
 * homepage would tell). A tag needs none: the archive gives a tag the slug of its name, which the
 * check holds to one spelling per slug.
 */
async function frameOf(config: Content, builtAt: Date): Promise<Archive> {
  if (frame?.config === config && frame.builtAt === builtAt.getTime()) return frame.archive
  const { authors } = cleanContent({ ...config, articles: [] }, { articleFiles: [] }).content
  const empty = catalogue(config, [])
  const index = { ...empty, authors: new Map(Object.entries(authors).map(([k, a]) => [k, { name: a.name, description: listingDescription('author', a.name), stories: [] }])) }
  const files = new Map<string, string>()
  await layoutArchive(index, { builtAt, digest: () => '' }, (path, text) => void files.set(path, text), async (path) => files.get(path), { text: () => recordsFile([]), putPages: async () => {} })
  const archive = await Archive.open(async (path) => files.get(path), ARCHIVE_ORIGIN)
  frame = { config, builtAt: builtAt.getTime(), archive }
  return archive
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
    ...(isObject ? {} : { unloaded: true as const }),
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
export async function processFiles(root: string, files: readonly string[], config: Content, render: RenderTarget, each: (p: Processed) => void): Promise<void> {
  for (let i = 0; i < files.length; i += BATCH) {
    const batch = files.slice(i, i + BATCH)
    // Each file read once: hashed as bytes (as the cache hashes a file it stats), loaded as text.
    const bytes = batch.map((f) => readFileSync(join(root, f)))
    const hashes = new Map<string, string>()
    const sources = new Map<string, string>()
    for (const [k, f] of batch.entries()) {
      hashes.set(f, sourceHash(bytes[k]!))
      sources.set(f, bytes[k]!.toString('utf8'))
    }
    const done: Processed[] = []
    for (const loaded of await loadModules(root, batch, sources)) {
      const hash = hashes.get(loaded.file)!
      if ('problems' in loaded) done.push({ file: loaded.file, hash, meta: { tags: [], unloaded: true }, problems: loaded.problems })
      else done.push(processArticle(loaded.file, hash, loaded.value as Article, config))
    }
    const renderable = done.filter((p): p is Processed & Renderable => p.record !== undefined && p.problems.length === 0)
    const rendered = await renderStories(config, renderable, render.origin, new Date(render.builtAt))
    for (const p of done) each(rendered.has(p.hash) ? { ...p, rendered: rendered.get(p.hash)! } : p)
  }
}

/** The origin feed items are rendered for (the prerender target's), and the build instant. */
export interface RenderTarget {
  origin: string
  builtAt: number
}
