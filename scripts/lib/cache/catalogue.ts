/**
 * The collection as the layout reads it (compile.ts `ArchiveIndex`), made from cached `StoryMeta`s
 * alone: no article is loaded, no body held. Orders and groups exactly as src/build/collection.ts
 * does (newest first, id breaking ties; sections in content/sections.ts order; a tag named as its
 * newest story spells it) — the byte-identity test (tests/node/incremental.test.ts) holds the two to it.
 */
import type { Content, StoryId } from '../../../src/content/article'
import { cleanContent } from '../../../src/build/clean'
import { newestFirst } from '../../../src/build/collection'
import type { ArchiveIndex, IndexedGroup } from '../../../src/build/compile'
import { listingDescription } from '../../../src/site-map'
import type { StoryMeta } from './stories'

/** A story of the catalogue: what the layout reads, plus the content hash that finds its record. */
export interface CatalogueStory {
  hash: string
  id: StoryId
  slug: string
  anchor: string
  published: Date
  updated: Date
  section: string
  tags: readonly { name: string; slug: string }[]
  authors: readonly { key: string; homepage?: string }[]
  withdrawn?: { at: Date; reason: string }
}

/** The catalogue of `entries` (content hash and meta of each article, in file order; drafts included). */
export function catalogue(config: Content, entries: readonly { hash: string; meta: StoryMeta }[]): ArchiveIndex<CatalogueStory> {
  const { site, sections, authors } = cleanContent({ ...config, articles: [] }, { articleFiles: [] }).content
  const stories: CatalogueStory[] = []
  for (const { hash, meta } of entries) {
    const s = meta.story
    if (!s) continue
    stories.push({ hash, id: meta.id as StoryId, slug: meta.slug!, anchor: s.anchor, published: new Date(s.published), updated: new Date(s.updated), section: s.section, tags: s.tags, authors: s.authors, ...(s.withdrawn ? { withdrawn: { at: new Date(s.withdrawn.at), reason: s.withdrawn.reason } } : {}) })
  }
  stories.sort(newestFirst)

  const bySection = new Map<string, CatalogueStory[]>(Object.keys(sections).map((k) => [k, []]))
  const byTag = new Map<string, { name: string; stories: CatalogueStory[] }>()
  const byAuthor = new Map<string, CatalogueStory[]>()
  for (const story of stories) {
    bySection.get(story.section)?.push(story)
    for (const tag of story.tags) {
      const group = byTag.get(tag.slug) ?? byTag.set(tag.slug, { name: tag.name, stories: [] }).get(tag.slug)!
      group.stories.push(story)
    }
    for (const author of story.authors) {
      const group = byAuthor.get(author.key) ?? byAuthor.set(author.key, []).get(author.key)!
      group.push(story)
    }
  }
  const named = (name: string, description: string, list: readonly CatalogueStory[]): IndexedGroup<CatalogueStory> => ({ name, description, stories: list })
  return {
    site,
    stories,
    home: named(site.title, site.description, stories),
    sections: new Map([...bySection].map(([k, list]) => [k, named(sections[k]!.name, sections[k]!.description, list)])),
    tags: new Map([...byTag].map(([k, g]) => [k, named(g.name, listingDescription('tag', g.name), g.stories)])),
    authors: new Map([...byAuthor].map(([k, list]) => [k, named(authors[k]!.name, listingDescription('author', authors[k]!.name), list)])),
  }
}
