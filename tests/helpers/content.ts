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

/** `n` articles one hour apart, the newest first in time (file order shuffled by the caller if wanted). */
export function manyArticles(n: number, start = Date.parse('2020-01-01T00:00:00Z')): Article[] {
  return Array.from({ length: n }, (_, i) =>
    article({
      id: `tag:test.example,2024:bulk-${i}`,
      slug: `bulk-${i}`,
      headline: `Bulk story ${i}`,
      published: new Date(start + i * 3_600_000).toISOString().replace('.000Z', 'Z') as Article['published'],
      tags: i % 2 ? ['Odd'] : ['Even'],
    }),
  )
}
