/** Builders for test collections: small, valid by default, every field overridable. */
import type { Article, Content } from '../../src/content/article'
import real from '../../content/index'

let counter = 0

export function article(overrides: Partial<Article> = {}): Article {
  const n = ++counter
  return {
    id: `tag:test.example,2024:story-${n}`,
    slug: `story-${n}`,
    headline: `Story ${n}`,
    dek: `The dek of story ${n}.`,
    section: 'news',
    tags: ['Testing'],
    published: '2024-05-01T12:00:00Z',
    timeZone: 'UTC',
    body: `Paragraph of story ${n}.`,
    ...overrides,
  }
}

export function collection(articles: Article[], overrides: Partial<Content> = {}): Content {
  return { site: real.site, authors: real.authors, sections: real.sections, articles, ...overrides }
}
