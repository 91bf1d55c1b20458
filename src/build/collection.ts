/**
 * @module
 * The collection as the build sees it: articles through the normalisation boundary (clean.ts),
 * resolved against their authors and section, drafts left out, newest first, and grouped by
 * section, tag and author. Built once per build by src/build/compile.ts, never in the Worker.
 */
import { articlePath, listingDescription, listingKey, listingPath, listingTitle } from '../site-map'
import type { Article, Content, Site } from '../content/article'
import { cleanContent } from './clean'
import { renderItemHtml } from './item-html'
import { anchorOf, tagSlug, type AuthorRef, type Link, type SectionRef, type Story, type TagRef } from '../content/story'

export { anchorOf, tagSlug, type AuthorRef, type Link, type SectionRef, type Story, type TagRef }

/**
 * A titled group of stories, newest first, as the build sees it: the home page, a section, a tag,
 * an author. The compiled archive (src/archive/) stores it; the Worker reads it as a `Listing`.
 */
export interface Group extends Link {
  /** Stable key of the listing, used in feed ids: `home`, `section/news`, `tag/russia`. */
  key: string
  /** Short name: "News", "Russia", "Herald Newsroom"; the site title for the home page. */
  name: string
  /** Page and feed title: "News · Herald". */
  title: string
  description: string
  stories: readonly Story[]
}

/** Newest first; the id breaks ties so that the order never depends on file order. */
export function newestFirst(a: { published: Date; id: string }, b: { published: Date; id: string }): number {
  return b.published.getTime() - a.published.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

export class Collection {
  readonly site: Site
  /** The site's origin, without a trailing slash: `https://herald.example.com`. */
  readonly origin: string
  /** Every story that is not a draft, newest first, including those scheduled for later. */
  readonly stories: readonly Story[]
  readonly home: Group
  readonly sections: ReadonlyMap<string, Group>
  readonly tags: ReadonlyMap<string, Group>
  readonly authors: ReadonlyMap<string, Group>
  readonly #bySlug: ReadonlyMap<string, Story>

  constructor(raw: Content, origin: string) {
    this.origin = origin
    // The one place content is cleaned. The build refuses content with problems before this; a
    // test may hand content straight here, and gets what the rules kept of it.
    const { content } = cleanContent(raw, { articleFiles: [] })
    this.site = content.site
    const stories = content.articles
      .filter((a) => !a.draft)
      .map((a) => this.#resolve(a, content))
      .sort(newestFirst)
    this.stories = stories
    this.#bySlug = new Map(stories.map((s) => [s.slug, s]))

    this.home = {
      ...this.link(listingPath('home', '')),
      key: listingKey('home', ''),
      name: this.site.title,
      title: listingTitle('home', this.site.title, this.site.title),
      description: this.site.description,
      stories,
    }
    this.sections = new Map(
      Object.keys(content.sections).map((key) => {
        const ref = this.#section(key, content)
        const listing: Group = {
          ...this.link(ref.path),
          key: listingKey('section', key),
          name: ref.name,
          title: listingTitle('section', ref.name, this.site.title),
          description: ref.description,
          stories: stories.filter((s) => s.section.key === key),
        }
        return [key, listing]
      }),
    )
    this.tags = group(stories, (s) => s.tags, (tag, tagged) => ({
      ...this.link(tag.path),
      key: listingKey('tag', tag.slug),
      name: tag.name,
      title: listingTitle('tag', tag.name, this.site.title),
      description: listingDescription('tag', tag.name),
      stories: tagged,
    }), (t) => t.slug)
    this.authors = group(stories, (s) => s.authors, (author, credited) => ({
      ...this.link(author.path),
      key: listingKey('author', author.key),
      name: author.name,
      title: listingTitle('author', author.name, this.site.title),
      description: listingDescription('author', author.name),
      stories: credited,
    }), (a) => a.key)
  }

  /** A story by slug, if it is published at `now`. */
  story(slug: string, now: number): Story | undefined {
    const story = this.#bySlug.get(slug)
    return story && story.published.getTime() <= now ? story : undefined
  }

  /** A path on this site with its absolute URL. */
  link(path: string): Link {
    return { path, url: this.origin + path }
  }

  #section(key: string, content: Content): SectionRef {
    const section = content.sections[key]
    if (!section) throw new Error(`unknown section "${key}" (npm run check reports this)`)
    return {
      key,
      name: section.name,
      description: section.description,
      ...this.link(listingPath('section', key)),
    }
  }

  #resolve(article: Article, content: Content): Story {
    const authorKeys = article.authors ?? [content.site.defaultAuthor]
    const authors = authorKeys.map((key): AuthorRef => {
      const author = content.authors[key]
      if (!author) throw new Error(`unknown author "${key}" (npm run check reports this)`)
      return {
        key,
        name: author.name,
        ...(author.url ? { homepage: author.url } : {}),
        ...this.link(listingPath('author', key)),
      }
    })
    const tags = article.tags.map((name): TagRef => ({ name, slug: tagSlug(name), ...this.link(listingPath('tag', tagSlug(name))) }))
    const published = new Date(article.published)
    const image = article.image
    const body = article.body
    const origin = this.origin
    let html: string | undefined
    return {
      id: article.id,
      anchor: anchorOf(article.id),
      slug: article.slug,
      ...this.link(articlePath(article.slug)),
      headline: article.headline,
      dek: article.dek,
      section: this.#section(article.section, content),
      tags,
      authors,
      published,
      updated: article.updated ? new Date(article.updated) : published,
      timeZone: article.timeZone,
      language: article.language ?? content.site.language,
      ...(image ? { image } : {}),
      ...(article.withdrawn ? { withdrawn: { at: new Date(article.withdrawn.at), reason: article.withdrawn.reason } } : {}),
      // Rendered on first use: a listing page needs no body.
      get html() {
        return (html ??= renderItemHtml(body, image, origin))
      },
    }
  }
}

/** Groups stories by each of their refs (tags, authors), keeping newest-first order in each group. */
function group<R>(
  stories: readonly Story[],
  refs: (s: Story) => readonly R[],
  listing: (ref: R, stories: Story[]) => Group,
  key: (ref: R) => string,
): Map<string, Group> {
  const groups = new Map<string, { ref: R; stories: Story[] }>()
  for (const story of stories) {
    for (const ref of refs(story)) {
      const k = key(ref)
      const g = groups.get(k) ?? groups.set(k, { ref, stories: [] }).get(k)!
      g.stories.push(story)
    }
  }
  return new Map([...groups].map(([k, g]) => [k, listing(g.ref, g.stories)]))
}
