/**
 * Generators for property tests: any string an editor can type, in every text, name, tag and URL
 * field, drawn from all of Unicode (C0 and C1 controls, noncharacters, lone surrogates, bidi and
 * zero-width characters, `]]>`, markup, entities, dot-segments), and collections made of them.
 */
import fc from 'fast-check'
import type { Article, Author, Content } from '../../src/content/article'
import real from '../../content/index'

/**
 * The oracle of what the check accepts in text, written apart from src/build/normalise.ts:
 * code point by code point, no C0 control but tab, LF and CR, no DEL or C1 control, no
 * noncharacter, no lone surrogate.
 */
export function isAcceptableText(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!
    if ((cp < 0x20 && cp !== 0x9 && cp !== 0xa && cp !== 0xd) || (cp >= 0x7f && cp <= 0x9f)) return false
    if ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp & 0xfffe) === 0xfffe || (cp >= 0xd800 && cp <= 0xdfff)) return false
  }
  return true
}

/** Plain text as the feeds must carry it: line ends as an XML parser reports them (XML 1.0 §2.11). */
export const asText = (s: string) => s.replace(/\r\n?/g, '\n')
/** A name as the feeds must carry it: one line, single spaces, trimmed. */
export const asName = (s: string) => asText(s).replace(/\s+/g, ' ').trim()

/** Characters that break feed writers, parsers and paths. */
const NASTY = [
  ']]>', ']]', '<![CDATA[', '</title>', '<script>', '<b>', '<', '>', '&', '&amp;', '&lt;', '&#0;', '"', "'", '\t', '\n', '\r', '\r\n', ' ',
  '.', '..', '/', '%', '%2e', '?', '#', '\\', '🎉', '👩🏽‍💻', 'שלום', 'مرحبا', 'ñ', 'e\u0301', '\u00A0', '\u2028', 'ﬁ',
  '\u202E', '\u202A', '\u2066', '\u200E', '\u200F', '\u200B', '\u200D', '\u2060', '\uFEFF', '\u00AD',
]
/** Characters the check refuses in any text. */
const REFUSED = [
  ...Array.from({ length: 32 }, (_, c) => String.fromCharCode(c)),
  ...Array.from({ length: 33 }, (_, c) => String.fromCharCode(0x7f + c)),
  '\uFDD0', '\uFDEF', '\uFFFE', '\uFFFF', '\u{1FFFE}', '\u{10FFFF}', '\uD800', '\uDFFF',
]

/** Any string: every code point of Unicode, lone surrogates included, and the fragments above. */
const anyFragment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom(...NASTY),
  fc.constantFrom(...REFUSED),
  fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
)
export const anyText = fc.array(anyFragment, { maxLength: 10 }).map((parts) => parts.join(''))

/** Any string the check's text rule should accept: all of Unicode less what it refuses, with the hostile fragments. */
const acceptableFragment = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }).map((s) => [...s].filter(isAcceptableText).join('')),
  fc.constantFrom(...NASTY),
)
export const acceptableText = fc
  .tuple(fc.constantFrom('A', 'z', 'Ж', '5', '語'), fc.array(acceptableFragment, { maxLength: 10 }), fc.boolean())
  .map(([visible, parts, first]) => (first ? visible + parts.join('') : parts.join('') + visible))

/** URLs: mostly absolute http(s) URLs with hostile paths and queries, sometimes anything. */
export const anyUrl = fc.oneof(
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fc.constantFrom('https://', 'http://', 'HTTPS://'),
        fc.constantFrom('img.example', 'IMG.Example', 'bücher.example', 'img.example:8443', '127.0.0.1'),
        fc.array(fc.oneof(fc.constantFrom('a', 'photo.jpg', '..', '.', '%20', '%2e', 'é', '🎉', '?q=1&b=2', '#x', '//'), fc.string({ unit: 'grapheme', maxLength: 3 })), { maxLength: 5 }),
      )
      .map(([scheme, host, path]) => `${scheme}${host}/${path.join('/')}`),
  },
  { weight: 1, arbitrary: fc.oneof(anyText, fc.constantFrom('https://img.example/<a>', 'https://user:pw@img.example/a', 'javascript:alert(1)', '/relative.jpg', 'mailto:a@b.example', 'https://img.example/a b', 'https://img.example/a\u0001b')) },
)

/** One field: mostly text the rules accept, sometimes anything at all. */
const field = fc.oneof({ weight: 19, arbitrary: acceptableText }, { weight: 1, arbitrary: anyText })

const generatedArticle = fc.record({
  headline: field,
  dek: field,
  body: field,
  /** Tags: drawn from a small pool too, so that tags are shared between stories and named like the section. */
  tags: fc.array(
    fc.oneof({ weight: 30, arbitrary: field }, { weight: 8, arbitrary: fc.constantFrom('Shared', 'SECTION', '<script>x</script>', 'shared') }, { weight: 1, arbitrary: fc.constantFrom('.', '..') }),
    { maxLength: 3 },
  ),
  authors: fc.subarray([0, 1, 2], { minLength: 1 }),
  image: fc.option(fc.record({ caption: field, credit: field, alt: field, url: anyUrl }), { nil: undefined }),
  hour: fc.integer({ min: 0, max: 23 }),
})

export const generated = fc.record({
  articles: fc.array(generatedArticle, { minLength: 1, maxLength: 3 }),
  authors: fc.tuple(
    ...[0, 1, 2].map(() => fc.record({ name: fc.oneof(field, fc.constantFrom('Shared')), url: fc.option(anyUrl, { nil: undefined }) })),
  ),
  sectionName: fc.oneof(field, fc.constant('SECTION')),
  sectionDescription: field,
  site: fc.record({ title: field, description: field, copyright: field }),
})

export type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never

/** Where the generated modules live, for messages. */
export const articleFile = (i: number) => `content/articles/generated-${i}.ts`

export function contentFrom(g: Generated): Content {
  const authors: Record<string, Author> = Object.fromEntries(
    g.authors.map((a, i) => [`a${i}`, { name: a.name, ...(a.url !== undefined && { url: a.url }) }]),
  )
  const articles = g.articles.map((a, i): Article => ({
    id: `tag:test.example,2024:generated-${i}`,
    slug: `generated-${i}`,
    headline: a.headline,
    dek: a.dek,
    section: 'gen',
    tags: a.tags,
    authors: a.authors.map((n) => `a${n}`) as [string, ...string[]],
    published: `2024-05-0${i + 1}T${String(a.hour).padStart(2, '0')}:00:00Z` as Article['published'],
    timeZone: 'UTC',
    body: a.body,
    ...(a.image && {
      image: {
        caption: a.image.caption,
        credit: a.image.credit,
        file: { url: a.image.url, alt: a.image.alt, width: 4, height: 3, type: 'image/png' as const, bytes: 99 },
      },
    }),
  }))
  return {
    site: { ...real.site, ...g.site, defaultAuthor: 'a0' },
    authors,
    sections: { gen: { name: g.sectionName, description: g.sectionDescription } },
    articles,
  }
}

/** RFC 4151 §2.1 `tagURI`, written from the grammar (with RFC 3986 pchar for the specific part). */
export const TAG_URI = /^tag:(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|[^@\s]+@[a-z0-9.-]+),\d{4}(?:-\d{2}(?:-\d{2})?)?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/i

/** An RFC 3986 URI (absolute), as JSON Schema's `format: uri` means it: only URI characters, percent-escapes well-formed. */
export const URI = /^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#[\]]|%[0-9A-Fa-f]{2})*$/
