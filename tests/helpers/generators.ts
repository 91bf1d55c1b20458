/** Generators for property tests: any string an editor can type, in every text field. */
import fc from 'fast-check'
import type { Article, Content } from '../../src/content/article'
import real from '../../content/index'

/**
 * The oracle, written apart from src/feeds/sanitize.ts: code point by code point, keep what
 * XML 1.0 §2.2 allows; then line ends as an XML parser reports them (§2.11).
 */
export function whatXmlCarries(s: string): string {
  let out = ''
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    const allowed =
      cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000
    if (allowed) out += ch
  }
  return out.replace(/\r\n?/g, '\n')
}

/** Fragments chosen to break feed writers, mixed with arbitrary code points. */
const fragment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom(']]>', ']]', '<![CDATA[', '</title>', '<', '>', '&', '&amp;', '&lt;', '"', "'", '\t', '\n', '\r', '\r\n', ' '),
  fc.constantFrom('🎉', '👩🏽‍💻', 'שלום', 'مرحبا', '\u202E', '\u200F', 'ñ', 'e\u0301', '\u00A0'),
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\uFFFE', '\uFFFF', '\u0085', '\u2028'),
)
export const anyText = fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join(''))

export type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never
export const generated = fc.record({
  headline: anyText,
  dek: anyText,
  body: anyText,
  tags: fc.array(anyText, { maxLength: 4 }),
  authorNames: fc.array(anyText, { minLength: 1, maxLength: 3 }),
  sectionName: anyText,
  image: fc.option(fc.record({ caption: anyText, credit: anyText, alt: anyText }), { nil: undefined }),
})

export function contentFrom(g: Generated): Content {
  const authors = Object.fromEntries(g.authorNames.map((name, i) => [`a${i}`, { name }]))
  const article: Article = {
    id: 'tag:test.example,2024:generated',
    slug: 'generated',
    headline: g.headline,
    dek: g.dek,
    section: 'gen',
    tags: g.tags,
    authors: Object.keys(authors) as [string, ...string[]],
    published: '2024-05-01T12:00:00Z',
    timeZone: 'UTC',
    body: g.body,
    ...(g.image && {
      image: {
        caption: g.image.caption,
        credit: g.image.credit,
        file: { url: 'https://img.example/a.png?x=1&y=2', alt: g.image.alt, width: 4, height: 3, type: 'image/png' as const, bytes: 99 },
      },
    }),
  }
  return { site: real.site, authors, sections: { gen: { name: g.sectionName, description: 'd' } }, articles: [article] }
}

