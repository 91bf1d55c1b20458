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
  const c = new Cleaner()
  const siteFile = sources.site ?? 'content/site.ts'
  const site: Site = {
    ...content.site,
    title: c.clean(siteFile, 'title', rule.name, content.site.title)!,
    description: c.clean(siteFile, 'description', rule.plainText, content.site.description)!,
    copyright: c.clean(siteFile, 'copyright', rule.plainText, content.site.copyright)!,
  }

  const authorsFile = sources.authors ?? 'content/authors.ts'
  const authors: Record<string, Author> = {}
  for (const [key, author] of Object.entries(content.authors)) authors[key] = author && typeof author === 'object' ? c.author(authorsFile, key, author) : author

  const sectionsFile = sources.sections ?? 'content/sections.ts'
  const sections: Record<string, Section> = {}
  for (const [key, section] of Object.entries(content.sections)) {
    sections[key] = section && typeof section === 'object'
      ? { ...section, name: c.clean(sectionsFile, `${key}.name`, rule.name, section.name)!, description: c.clean(sectionsFile, `${key}.description`, rule.plainText, section.description)! }
      : section
  }

  const articles: Article[] = []
  for (const [i, article] of content.articles.entries()) articles.push(typeof article !== 'object' || article === null ? article : c.article(sources.articleFiles[i] ?? `content.articles[${i}]`, article))
  return { content: { site, authors, sections, articles }, problems: c.problems }
}

/**
 * Values through their rules, the refusals kept. Methods, not closures made per call: the build
 * cleans one article per call, and V8 drops the optimised code of closures that died at each major
 * GC, then compiles them again (see validate.ts `articleProblems`).
 */
class Cleaner {
  readonly problems: Problem[] = []
  readonly #tagSpellings = new TagSpellings()

  clean(file: string, path: string, normalise: (s: string) => rule.Normalised, value: unknown): string | undefined {
    if (typeof value !== 'string') return value as string
    const n = normalise(value)
    if (n.problem) this.problems.push({ file, field: path, message: n.problem })
    return n.value
  }

  author(file: string, key: string, author: Author): Author {
    const url = author.url === undefined ? undefined : this.clean(file, `${key}.url`, rule.url, author.url)
    return { ...author, name: this.clean(file, `${key}.name`, rule.name, author.name)!, ...(url !== undefined ? { url } : { url: undefined }) }
  }

  article(file: string, article: Article): Article {
    const tags: string[] = []
    if (Array.isArray(article.tags)) {
      const seen = new Map<string, string>()
      for (const raw of article.tags) {
        const name = this.clean(file, 'tags', rule.tag, raw)
        if (typeof name !== 'string') continue
        const slug = tagSlug(name)
        const earlier = seen.get(slug)
        if (earlier !== undefined) {
          // `C++` and `C#` are two spellings to the editor but one address: name the other one.
          const message = sameSpelling(earlier, name) ? `"${name}" is listed twice` : slugClash(name, slug, `"${earlier}" before it in this list`)
          this.problems.push({ file, field: 'tags', message })
          continue
        }
        seen.set(slug, name)
        tags.push(name)
        const clash = this.#tagSpellings.add(file, name)
        if (clash) this.problems.push(clash)
      }
    }
    return {
      ...article,
      headline: this.clean(file, 'headline', rule.plainText, article.headline)!,
      dek: this.clean(file, 'dek', rule.plainText, article.dek)!,
      tags: Array.isArray(article.tags) ? tags : article.tags,
      body: this.clean(file, 'body', rule.markdown, article.body)!,
      ...(article.image && typeof article.image === 'object' ? { image: this.image(file, article.image) } : {}),
      ...(article.withdrawn && typeof article.withdrawn === 'object' ? { withdrawn: { ...article.withdrawn, reason: this.clean(file, 'withdrawn.reason', rule.plainText, article.withdrawn.reason)! } } : {}),
    }
  }

  image(file: string, image: LeadImage): LeadImage {
    const { file: imageFile } = image
    const caption = this.clean(file, 'image.caption', rule.plainText, image.caption)!
    const credit = this.clean(file, 'image.credit', rule.plainText, image.credit)!
    if (!imageFile || typeof imageFile !== 'object') return { ...image, caption, credit }
    const url = this.clean(file, 'image.file.url', rule.url, imageFile.url)
    const alt = this.clean(file, 'image.file.alt', rule.plainText, imageFile.alt)!
    // A file whose URL the rule refused is left out: the caption and credit still reach readers.
    return { ...image, caption, credit, ...(url === undefined ? { file: undefined } : { file: { ...imageFile, url, alt } }) }
  }
}

/** Case and spacing are one spelling: the tag rule has already collapsed spacing. */
const sameSpelling = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** Two spellings of one tag address: `other` says which spelling holds it and where. */
function slugClash(name: string, slug: string, other: string): string {
  return `"${name}" has the address ${listingPath('tag', slug)}, which ${other} has; spell the two alike, or tell them apart with a letter or digit`
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
    else if (!sameSpelling(known.name, name)) return { file, field: 'tags', message: slugClash(name, slug, `"${known.name}" (${known.file})`) }
    return undefined
  }
}
