/**
 * @module
 * The collection through the normalisation boundary (normalise.ts): every string and URL of the
 * content, field by field, through its rule. Gives the content as the collection keeps it and the
 * refusals, each naming file and field. The check reports the refusals; the collection uses the
 * cleaned content, so nothing after it cleans again.
 */
import { listingPath, tagSlug } from '../site-map'
import type { Article, Author, Content, LeadImage, Section, Site } from '../content/article'
import * as rule from './normalise'

export interface Problem {
  file: string
  field: string
  message: string
}

/** Where each part of the collection comes from, for messages. */
export interface Sources {
  /** File of each article, in the order of `content.articles`. */
  articleFiles: readonly string[]
  site?: string
  authors?: string
  sections?: string
}

export interface Cleaned {
  content: Content
  problems: Problem[]
}

/** Runs every field through its rule. Values that are not strings are left as they are (the schema reports them). */
export function cleanContent(content: Content, sources: Sources): Cleaned {
  const problems: Problem[] = []
  const field = (file: string, path: string, normalise: (s: string) => rule.Normalised) => (value: unknown) => {
    if (typeof value !== 'string') return value as string
    const n = normalise(value)
    if (n.problem) problems.push({ file, field: path, message: n.problem })
    return n.value
  }

  const siteFile = sources.site ?? 'content/site.ts'
  const site: Site = {
    ...content.site,
    title: field(siteFile, 'title', rule.name)(content.site.title)!,
    description: field(siteFile, 'description', rule.plainText)(content.site.description)!,
    copyright: field(siteFile, 'copyright', rule.plainText)(content.site.copyright)!,
  }

  const authorsFile = sources.authors ?? 'content/authors.ts'
  const authors = mapValues(content.authors, (key, author): Author => {
    const url = author.url === undefined ? undefined : field(authorsFile, `${key}.url`, rule.url)(author.url)
    return { ...author, name: field(authorsFile, `${key}.name`, rule.name)(author.name)!, ...(url !== undefined ? { url } : { url: undefined }) }
  })

  const sectionsFile = sources.sections ?? 'content/sections.ts'
  const sections = mapValues(content.sections, (key, section): Section => ({
    ...section,
    name: field(sectionsFile, `${key}.name`, rule.name)(section.name)!,
    description: field(sectionsFile, `${key}.description`, rule.plainText)(section.description)!,
  }))

  const tagSpellings = new TagSpellings()
  const articles = content.articles.map((article, i): Article => {
    if (typeof article !== 'object' || article === null) return article
    const file = sources.articleFiles[i] ?? `content.articles[${i}]`
    const text = (path: string, normalise: (s: string) => rule.Normalised) => field(file, path, normalise)
    const tags: string[] = []
    if (Array.isArray(article.tags)) {
      const seen = new Set<string>()
      for (const raw of article.tags) {
        const name = text('tags', rule.tag)(raw)
        if (typeof name !== 'string') continue
        const slug = tagSlug(name)
        if (seen.has(slug)) {
          problems.push({ file, field: 'tags', message: `"${name}" is listed twice` })
          continue
        }
        seen.add(slug)
        tags.push(name)
        const clash = tagSpellings.add(file, name)
        if (clash) problems.push(clash)
      }
    }
    return {
      ...article,
      headline: text('headline', rule.plainText)(article.headline)!,
      dek: text('dek', rule.plainText)(article.dek)!,
      tags: Array.isArray(article.tags) ? tags : article.tags,
      body: text('body', rule.markdown)(article.body)!,
      ...(article.image && typeof article.image === 'object' ? { image: cleanImage(article.image, (path, normalise) => text(`image.${path}`, normalise)) } : {}),
      ...(article.withdrawn && typeof article.withdrawn === 'object' ? { withdrawn: { ...article.withdrawn, reason: text('withdrawn.reason', rule.plainText)(article.withdrawn.reason)! } } : {}),
    }
  })
  return { content: { site, authors, sections, articles }, problems }
}

/**
 * A tag's address is made of its slug: two spellings that give one slug would share a page under
 * two names, so the second is refused (case and spacing are one spelling). Fed in file order.
 */
export class TagSpellings {
  readonly #known = new Map<string, { name: string; file: string }>()

  /** The problem with tag `name` (already cleaned) of `file`, if another file spelled its slug otherwise. */
  add(file: string, name: string): Problem | undefined {
    const slug = tagSlug(name)
    const known = this.#known.get(slug)
    if (!known) this.#known.set(slug, { name, file })
    else if (known.name.toLowerCase() !== name.toLowerCase()) {
      return { file, field: 'tags', message: `"${name}" has the address ${listingPath('tag', slug)}, which "${known.name}" (${known.file}) has; spell the two alike, or tell them apart with a letter or digit` }
    }
    return undefined
  }
}

type FieldCleaner = (path: string, normalise: (s: string) => rule.Normalised) => (value: unknown) => string | undefined

function cleanImage(image: LeadImage, text: FieldCleaner): LeadImage {
  const { file } = image
  const caption = text('caption', rule.plainText)(image.caption)!
  const credit = text('credit', rule.plainText)(image.credit)!
  if (!file || typeof file !== 'object') return { ...image, caption, credit }
  const url = text('file.url', rule.url)(file.url)
  const alt = text('file.alt', rule.plainText)(file.alt)!
  // A file whose URL the rule refused is left out: the caption and credit still reach readers.
  return { ...image, caption, credit, ...(url === undefined ? { file: undefined } : { file: { ...file, url, alt } }) }
}

function mapValues<T>(record: Readonly<Record<string, T>>, f: (key: string, value: T) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v && typeof v === 'object' ? f(k, v) : v]))
}
