/**
 * `npm run check`: content mistakes fail the build, and every message names the file and field.
 * Broken collections are fed to the validator directly; the command itself runs on a broken copy.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Article } from '../../src/content/article'
import { formatProblem, validateContent, validateLedger } from '../../src/build/validate'
import { FORBIDDEN } from '../../src/build/normalise'
import { articleIndexIsCurrent, renderArticleIndex, writeArticleIndex } from '../../scripts/lib/article-index'
import { checkRepository } from '../../scripts/lib/repo'
import { scaffoldArticle, slugify } from '../../scripts/lib/scaffold'
import content from '../../content/index'
import { article, collection } from '../helpers/content'
import { contentWorkspace } from './helpers/workspace'

const FILE = 'content/articles/broken.ts'

/** The messages for a collection of one article with these fields changed. */
function problemsWith(overrides: Record<string, unknown>): string[] {
  const broken = { ...article(), ...overrides } as Article
  return validateContent(collection([broken]), { articleFiles: [FILE] }).map(formatProblem)
}

describe('the real collection', () => {
  it('passes the check, index and ledger included', async () => {
    const { problems, articles } = await checkRepository(process.cwd())
    expect(problems.map(formatProblem)).toEqual([])
    expect(articles).toBe(content.articles.length)
  })
})

describe('article fields', () => {
  it.each([
    [{ headline: '   ' }, `${FILE}: headline: has nothing visible in it (only spaces, zero-width or direction marks); write the text`],
    [{ headline: 'Bell \u0007 in title' }, `${FILE}: headline: contains U+0007, a control character, at character 6; text may hold any character but controls (tab and line breaks are fine), noncharacters and unpaired surrogates`],
    [{ dek: undefined }, `${FILE}: dek: dek is required`],
    [{ published: '2024-03-28 19:58' }, `${FILE}: published: must be an ISO 8601 instant with its UTC offset, e.g. 2024-03-28T19:58:00-04:00`],
    // The form is right but a part is out of its range: the message names the part (JavaScript would roll 02-30 over to March 1).
    [{ published: '2024-02-30T10:00:00Z' }, `${FILE}: published: 2024-02-30T10:00:00Z is no real date and time: day 30 is out of range: February 2024 has 29 days`],
    [{ published: '2023-02-29T10:00:00Z' }, `${FILE}: published: 2023-02-29T10:00:00Z is no real date and time: day 29 is out of range: February 2023 has 28 days`],
    [{ published: '2024-13-01T09:00:00Z' }, `${FILE}: published: 2024-13-01T09:00:00Z is no real date and time: month 13 is out of range (01 to 12)`],
    [{ published: '2024-00-10T09:00:00Z' }, `${FILE}: published: 2024-00-10T09:00:00Z is no real date and time: month 00 is out of range (01 to 12)`],
    [{ published: '2024-01-32T09:00:00Z' }, `${FILE}: published: 2024-01-32T09:00:00Z is no real date and time: day 32 is out of range: January 2024 has 31 days`],
    [{ published: '2024-04-31T09:00:00Z' }, `${FILE}: published: 2024-04-31T09:00:00Z is no real date and time: day 31 is out of range: April 2024 has 30 days`],
    [{ published: '2024-05-00T09:00:00Z' }, `${FILE}: published: 2024-05-00T09:00:00Z is no real date and time: day 00 is out of range: May 2024 has 31 days`],
    [{ published: '2024-05-01T25:00:00Z' }, `${FILE}: published: 2024-05-01T25:00:00Z is no real date and time: hour 25 is out of range (00 to 23)`],
    [{ published: '2024-05-01T24:00:00Z' }, `${FILE}: published: 2024-05-01T24:00:00Z is no real date and time: hour 24 is out of range (00 to 23)`],
    [{ published: '2024-05-01T12:60:00Z' }, `${FILE}: published: 2024-05-01T12:60:00Z is no real date and time: minute 60 is out of range (00 to 59)`],
    [{ published: '2024-05-01T12:00:61Z' }, `${FILE}: published: 2024-05-01T12:00:61Z is no real date and time: second 61 is out of range (00 to 59)`],
    [{ updated: '2024-05-01T12:00:00+24:00' }, `${FILE}: updated: 2024-05-01T12:00:00+24:00 is no real date and time: UTC offset +24:00 is out of range (hours 00 to 23, minutes 00 to 59)`],
    [{ withdrawn: { at: '2024-06-31T12:00:00Z', reason: 'x' } }, `${FILE}: withdrawn.at: 2024-06-31T12:00:00Z is no real date and time: day 31 is out of range: June 2024 has 30 days`],
    [{ published: '2024-03-28T19:58:00' }, `${FILE}: published: must be an ISO 8601 instant with its UTC offset, e.g. 2024-03-28T19:58:00-04:00`],
    // Real where it was written, but past the four-digit years of RFC 3339, RFC 822 and HTTP-dates in UTC, where feeds carry it.
    [{ published: '2024-05-01T00:00:00-12:00', updated: '9999-12-31T23:00:00-12:00', timeZone: 'Etc/GMT+12' }, `${FILE}: updated: 9999-12-31T23:00:00-12:00 is no real date and time: in UTC it falls in the year 10000, and feeds can write only the years 0000 to 9999`],
    [{ published: '0000-01-01T00:00:00+14:00', timeZone: 'Etc/GMT-14' }, `${FILE}: published: 0000-01-01T00:00:00+14:00 is no real date and time: in UTC it falls in the year -1, and feeds can write only the years 0000 to 9999`],
    // markdown-it stops at 100 levels and drops what is deeper, unsaid (the text "deep" was on no page or feed).
    [{ body: `${'>'.repeat(150)} deep` }, `${FILE}: body: nests quotes or lists more than 100 levels deep, where Markdown drops the rest of the text: nest less`],
    [{ body: Array.from({ length: 60 }, (_, i) => `${'  '.repeat(i)}- item ${i}`).join('\n') }, `${FILE}: body: nests quotes or lists more than 100 levels deep, where Markdown drops the rest of the text: nest less`],
    [{ body: 'x'.repeat(1024 * 1024 + 1) }, `${FILE}: body: is 1.0 MiB, more than the 1 MiB a story's body may be (the archive's files must stay under Cloudflare's 25 MiB per static asset): split it into stories that link to each other`],
    [{ updated: '2024-04-30T12:00:00Z' }, `${FILE}: updated: 2024-04-30T12:00:00Z is before published (2024-05-01T12:00:00Z)`],
    [{ timeZone: 'Mars/Olympus' }, `${FILE}: timeZone: must be an IANA time zone such as America/New_York`],
    [{ published: '2024-03-28T19:58:00-05:00', timeZone: 'America/New_York' }, `${FILE}: published: offset of 2024-03-28T19:58:00-05:00 does not match America/New_York, which was at -04:00 then`],
    [{ section: 'sport' }, `${FILE}: section: "sport" is not a key of content/sections.ts (news)`],
    [{ authors: ['nobody'] }, `${FILE}: authors: "nobody" is not a key of content/authors.ts`],
    // Names every object has are not keys of the configuration (they passed, and the build then failed, or credited "Object").
    [{ section: 'constructor' }, `${FILE}: section: "constructor" is not a key of content/sections.ts (news)`],
    [{ authors: ['constructor'] }, `${FILE}: authors: "constructor" is not a key of content/authors.ts`],
    [{ authors: ['toString'] }, `${FILE}: authors: "toString" is not a key of content/authors.ts`],
    [{ slug: 'Has Spaces' }, `${FILE}: slug: must be lowercase letters, digits and single hyphens`],
    [{ id: 'urn:uuid:1234' }, `${FILE}: id: must be a tag: URI such as tag:herald.example.com,2024:my-story (RFC 4151)`],
    [{ id: 'tag:test.example,2024:100%' }, `${FILE}: id: must be a tag: URI such as tag:herald.example.com,2024:my-story (RFC 4151)`],
    [{ tags: ['Russia', 'russia'] }, `${FILE}: tags: "russia" is listed twice`],
    [{ tags: ['C++', 'C#'] }, `${FILE}: tags: "C#" has the address /tags/c, which "C++" before it in this list has; spell the two alike, or tell them apart with a letter or digit`],
    [{ language: 'not a language!' }, `${FILE}: language: must be a BCP 47 language tag such as en or pt-BR`],
    [{ body: 'See ![](https://img.example/x.png)' }, `${FILE}: body: image https://img.example/x.png has no alt text: write ![what it shows](url)`],
    [{ body: '[the file](ftp://files.example/report.pdf)' }, `${FILE}: body: link ftp://files.example/report.pdf must be http(s), mailto, or a path on this site`],
    // Pages and feeds resolve a body's URLs against the site's root: one that is not a path from it would lead elsewhere (#notes to the home page).
    [{ body: 'See [the other story](other-story).' }, `${FILE}: body: link other-story is relative; pages and feeds resolve it against the site's root, not the story's address: write a path from the root, such as /articles/other-story, or an absolute URL`],
    [{ body: 'See [the notes](#notes).' }, `${FILE}: body: link #notes is relative; pages and feeds resolve it against the site's root, not the story's address: write a path from the root, such as /articles/other-story, or an absolute URL`],
    [{ body: '![A map](../img/map.png)' }, `${FILE}: body: image ../img/map.png is relative; pages and feeds resolve it against the site's root, not the story's address: write a path from the root, such as /articles/other-story, or an absolute URL`],
    [{ headlne: 'typo' }, `${FILE}: (article): Unrecognized key: "headlne"; did you mean "headline"?`],
    [{ hedline: 'typo' }, `${FILE}: (article): Unrecognized key: "hedline"; did you mean "headline"?`],
    [{ kicker: 'no such field' }, `${FILE}: (article): Unrecognized key: "kicker"`],
    // Text of the wrong type is named as such, not as missing.
    [{ headline: 42 }, `${FILE}: headline: headline must be text in quotes, not a number (42)`],
    [{ dek: ['a', 'b'] }, `${FILE}: dek: dek must be text in quotes, not a list`],
    // A withdrawal: an RFC 3339 instant (seconds, offset) after the story ran, and a public reason in plain text.
    [{ withdrawn: { at: '2024-04-30T12:00:00Z', reason: 'x' } }, `${FILE}: withdrawn.at: 2024-04-30T12:00:00Z is before published (2024-05-01T12:00:00Z); a story is withdrawn after it ran`],
    [{ updated: '2024-06-02T00:00:00Z', withdrawn: { at: '2024-06-01T12:00:00Z', reason: 'x' } }, `${FILE}: withdrawn.at: 2024-06-01T12:00:00Z is before updated (2024-06-02T00:00:00Z); a story is not corrected after it is withdrawn`],
    [{ withdrawn: { at: '2024-06-01T12:00Z', reason: 'x' } }, `${FILE}: withdrawn.at: has no seconds: feeds carry RFC 3339 instants, which need them; write e.g. 2024-03-28T19:58:00-04:00`],
    [{ withdrawn: { at: '2024-06-01T12:00:00', reason: 'x' } }, `${FILE}: withdrawn.at: must be an ISO 8601 instant with its UTC offset, e.g. 2024-03-28T19:58:00-04:00`],
    [{ timeZone: 'America/New_York', published: '2024-05-01T08:00:00-04:00', withdrawn: { at: '2024-06-01T12:00:00-05:00', reason: 'x' } }, `${FILE}: withdrawn.at: offset of 2024-06-01T12:00:00-05:00 does not match America/New_York, which was at -04:00 then`],
    [{ withdrawn: { at: '2024-06-01T12:00:00Z' } }, `${FILE}: withdrawn.reason: reason is required`],
    [{ withdrawn: { at: '2024-06-01T12:00:00Z', reason: ' \u200b ' } }, `${FILE}: withdrawn.reason: has nothing visible in it (only spaces, zero-width or direction marks); write the text`],
    [{ withdrawn: { at: '2024-06-01T12:00:00Z', reason: 'Bell \u0007' } }, `${FILE}: withdrawn.reason: contains U+0007, a control character, at character 6; text may hold any character but controls (tab and line breaks are fine), noncharacters and unpaired surrogates`],
    [{ withdrawn: '2024-06-01T12:00:00Z' }, `${FILE}: withdrawn: must be { at: <instant>, reason: <public reason> }`],
    [{ withdrawn: { at: '2024-06-01T12:00:00Z', reason: 'x', by: 'me' } }, `${FILE}: withdrawn: Unrecognized key: "by"`],
    // Authors that are not a list are named, once (the check threw "object is not iterable", or named each letter of a string).
    [{ authors: {} }, `${FILE}: authors: must be a list of keys of content/authors.ts, such as ['jane-doe'], not an object`],
    [{ authors: 'odd' }, `${FILE}: authors: must be a list of keys of content/authors.ts, such as ['jane-doe'], not a string`],
    // A link is held to the URL rule (markdown-it printed `https://` as written, resolved `https:` to the home page, and encoded a space in a host).
    [{ body: '[the site](https:)' }, `${FILE}: body: link https: is not a URL: expected ${URL_EXAMPLE}`],
    [{ body: '[the site](https://)' }, `${FILE}: body: link https:// is not a URL: expected ${URL_EXAMPLE}`],
    [{ body: '[a host](<https://a b.example/>)' }, `${FILE}: body: link https://a%20b.example/ is not a URL: expected ${URL_EXAMPLE}`],
    [{ body: '[a port](https://a.example:99999/)' }, `${FILE}: body: link https://a.example:99999/ is not a URL: expected ${URL_EXAMPLE}`],
    [{ body: '![a map](https://exa%mple.com/map.png)' }, `${FILE}: body: image https://exa%25mple.com/map.png is not a URL: expected ${URL_EXAMPLE}`],
    [{ body: '[a login](https://user:secret@files.example/)' }, `${FILE}: body: link https://user:secret@files.example/ carries a user name or password before its host; leave them out: expected ${URL_EXAMPLE}`],
    // The build writes the site's own links on herald.invalid and the Worker swaps them: an editor's would be rewritten in some formats only.
    [{ body: '[x](https://herald.invalid/secret)' }, `${FILE}: body: link https://herald.invalid/secret ${ARCHIVE_HOST_RULE}`],
    [{ image: { caption: 'c', credit: 'r', file: { url: 'https://herald.invalid/lead.jpg', alt: 'a', width: 1, height: 1, type: 'image/jpeg', bytes: 1 } } }, `${FILE}: image.file.url: ${ARCHIVE_HOST_RULE}`],
    // A reference to a character text may not hold is refused as the character typed is (markdown-it printed U+FFFD).
    [{ body: 'Price list &#x85; here' }, `${FILE}: body: the character reference &#x85; stands for U+0085, a control character, which markdown-it would print as U+FFFD; ${TEXT_RULE}`],
    [{ body: 'A &#0; and a &#xFFFE;' }, `${FILE}: body: the character reference &#0; stands for U+0000, a control character, which markdown-it would print as U+FFFD; ${TEXT_RULE}`],
    [{ body: 'A &#0; and a &#xFFFE;' }, `${FILE}: body: the character reference &#xFFFE; stands for U+FFFE, a Unicode noncharacter, which markdown-it would print as U+FFFD; ${TEXT_RULE}`],
    [{ body: 'Half &#xD800; a pair' }, `${FILE}: body: the character reference &#xD800; stands for U+D800, half of a surrogate pair without its other half, which markdown-it would print as U+FFFD; ${TEXT_RULE}`],
    [{ body: 'Beyond &#1114112; Unicode' }, `${FILE}: body: the character reference &#1114112; stands for no Unicode code point, which markdown-it would print as U+FFFD; ${TEXT_RULE}`],
    // A body must show something: link definitions alone gave a blank Atom content and an RSS item without its story.
    [{ body: '[r]: https://x.example/' }, `${FILE}: body: ${BLANK_BODY}`],
    [{ body: '***' }, `${FILE}: body: ${BLANK_BODY}`],
    [{ body: '&nbsp;&#x200B;' }, `${FILE}: body: ${BLANK_BODY}`],
    // Alt text as it renders: a zero-width space or a reference to one showed nothing, like no alt at all.
    [{ body: 'See ![\u200B](https://img.example/x.png)' }, `${FILE}: body: image https://img.example/x.png has no alt text: write ![what it shows](url)`],
    [{ body: 'See ![&nbsp;](https://img.example/x.png)' }, `${FILE}: body: image https://img.example/x.png has no alt text: write ![what it shows](url)`],
  ])('reports %o', (overrides, message) => {
    expect(problemsWith(overrides)).toContain(message)
  })

  it('accepts body links that are paths from the site root, absolute http(s) URLs or mailto', () => {
    expect(problemsWith({ body: '[a](/articles/x) [b](/tags/russia?x=1#y) [c](https://example.com/) [d](mailto:desk@example.com) ![e](/img/e.png)' })).toEqual([])
    // A `%` that begins no escape is a percent sign, which markdown-it writes as %25; a hostname in Unicode is written in punycode.
    expect(problemsWith({ body: '[a](HTTP://x.example/100%) [b](https://bücher.example/) [c](https://x.example/a%20b?q=%C3%A9)' })).toEqual([])
  })

  it('accepts a body that shows only an image, code, or a reference to U+FFFD or a form feed, and references inside code as written', () => {
    for (const body of ['![A map](/img/map.png)', '`x`', '    indented code', '&#xFFFD;', 'a&#12;b', 'Code: `&#0;`', 'Alt in markup: ![*a* map](/m.png)']) expect(problemsWith({ body })).toEqual([])
  })

  it('requires an absolute URL and alt text on an image file', () => {
    const image = { caption: 'c', credit: 'r', file: { url: '/photo.jpg', alt: '', width: 1, height: 1, type: 'image/jpeg', bytes: 1 } }
    expect(problemsWith({ image })).toEqual([
      `${FILE}: image.file.url: is not a URL: expected an absolute http(s) URL such as https://images.example.com/a%20photo.jpg`,
      `${FILE}: image.file.alt: must not be empty`,
    ])
  })

  it('accepts real dates and times at the ends of their ranges', () => {
    for (const published of ['2024-02-29T23:59:59Z', '2000-02-29T00:00:00Z', '2024-12-31T23:59:59.999Z', '2024-01-01T00:00:00Z', '2024-05-31T12:00:00Z']) {
      expect(problemsWith({ published })).toEqual([])
    }
    expect(problemsWith({ published: '2024-04-30T08:00:00-04:00', timeZone: 'America/New_York' })).toEqual([])
    // Years 0000 to 0099 are RFC 3339's too (the zone's offset was read as 1900-1999's, and year 0000 as 0001).
    for (const published of ['0001-01-01T00:00:00Z', '0050-06-01T12:00:00Z', '0000-01-01T00:00:00Z', '0099-12-31T23:59:59Z']) {
      expect(problemsWith({ published, timeZone: 'UTC' })).toEqual([])
    }
  })

  it('accepts a withdrawal after publication, in the future or the past, and keeps the reason as written', () => {
    for (const at of ['2024-05-01T12:00:00Z', '2999-01-01T00:00:00Z']) expect(problemsWith({ withdrawn: { at, reason: 'A source recanted.\nWe regret the error.' } })).toEqual([])
  })

  it('reports every problem of an article, not just the first', () => {
    expect(problemsWith({ headline: '', dek: '', section: 'nope' })).toHaveLength(3)
  })
})

/** An image whose file has this URL. */
const imageAt = (url: string) => ({ caption: 'c', credit: 'r', file: { url, alt: 'a', width: 1, height: 1, type: 'image/jpeg', bytes: 1 } })
const URL_EXAMPLE = 'an absolute http(s) URL such as https://images.example.com/a%20photo.jpg'
const ARCHIVE_HOST_RULE = "is on herald.invalid, the host the build writes this site's own links with; link to the site with a path such as /articles/other-story, or give the real URL"
const BLANK_BODY = 'renders to nothing a reader can see (only link definitions, rules or empty markup); write the story'
const TEXT_RULE = 'text may hold any character but controls (tab and line breaks are fine), noncharacters and unpaired surrogates'
const URL_RULE = 'which a URL cannot hold; percent-encode it (a space is %20): expected an absolute http(s) URL such as https://images.example.com/a%20photo.jpg'

describe('the normalisation boundary refuses, naming file, field and rule', () => {
  it.each([
    ['a C0 control in an image URL', { image: imageAt('https://img.example/a\u0001b.jpg') }, `image.file.url: contains U+0001, a control character, at character 22, ${URL_RULE}`],
    ['a raw space in a URL', { image: imageAt('https://img.example/a b.jpg') }, `image.file.url: contains a space, at character 22, ${URL_RULE}`],
    ['a quote in a URL', { image: imageAt('https://img.example/"a".jpg') }, `image.file.url: contains a double quote, at character 21, ${URL_RULE}`],
    ['a "<" in a URL', { image: imageAt('https://img.example/<a>.jpg') }, `image.file.url: contains "<", at character 21, ${URL_RULE}`],
    ['a line feed in a URL', { image: imageAt('https://img.example/a\nb.jpg') }, `image.file.url: contains U+000A, a control character, at character 22, ${URL_RULE}`],
    ['a URL with a user name', { image: imageAt('https://user@img.example/a.jpg') }, 'image.file.url: carries a user name or password before its host; leave them out: expected an absolute http(s) URL such as https://images.example.com/a%20photo.jpg'],
    ['a "%" that begins no escape', { image: imageAt('https://img.example/100%.jpg') }, 'image.file.url: contains a "%" that begins no percent-escape (write %25 for a percent sign): expected an absolute http(s) URL such as https://images.example.com/a%20photo.jpg'],
    ['a second "#" in a URL', { image: imageAt('https://img.example/a.jpg#x#y') }, 'image.file.url: contains "#", which a URL cannot hold outside its host (percent-encode it): expected an absolute http(s) URL such as https://images.example.com/a%20photo.jpg'],
    ['a URL that is not http(s)', { image: imageAt('javascript:alert(1)') }, 'image.file.url: is a javascript: URL: expected an absolute http(s) URL such as https://images.example.com/a%20photo.jpg'],
    ['a C1 control in a headline', { headline: 'Next\u0085line' }, `headline: contains U+0085, a control character, at character 5; ${TEXT_RULE}`],
    ['a noncharacter in a dek', { dek: 'Not \uFDD0 a character' }, `dek: contains U+FDD0, a Unicode noncharacter, at character 5; ${TEXT_RULE}`],
    ['a supplementary noncharacter in a body', { body: 'x \u{1FFFE}' }, `body: contains U+1FFFE, a Unicode noncharacter, at character 3; ${TEXT_RULE}`],
    ['an unpaired surrogate in a caption', { image: { caption: 'half \uD800', credit: 'r' } }, `image.caption: contains U+D800, half of a surrogate pair without its other half, at character 6; ${TEXT_RULE}`],
    ['a headline of zero-width characters only', { headline: '\u200B\u200D\u2060\uFEFF' }, 'headline: has nothing visible in it (only spaces, zero-width or direction marks); write the text'],
    ['a tag of bidi controls only', { tags: ['\u202E\u200F'] }, 'tags: has nothing visible in it (only spaces, zero-width or direction marks); write the text'],
    ['a tag named "."', { tags: ['.'] }, 'tags: "." has no letter or digit, and its address /tags/<slug> is made of those; add a word'],
    ['a tag named ".."', { tags: ['..'] }, 'tags: ".." has no letter or digit, and its address /tags/<slug> is made of those; add a word'],
    ['an instant without seconds (ISO 8601, not RFC 3339)', { published: '2025-01-01T10:00Z' }, 'published: has no seconds: feeds carry RFC 3339 instants, which need them; write e.g. 2024-03-28T19:58:00-04:00'],
  ])('%s', (_, overrides, message) => {
    expect(problemsWith(overrides)).toContain(`${FILE}: ${message}`)
  })

  it('a name with a control character, naming the rule (not "must be a non-empty name")', () => {
    const authors = { ...content.authors, bell: { name: 'Ring\u0007er' } }
    expect(validateContent(collection([article({ authors: ['bell'] })], { authors }), { articleFiles: [FILE] }).map(formatProblem)).toEqual([
      `content/authors.ts: bell.name: contains U+0007, a control character, at character 5; ${TEXT_RULE}`,
    ])
  })

  it('an author URL with a C0 control', () => {
    const authors = { ...content.authors, web: { name: 'Web', url: 'https://example.com/\u0002me' } }
    expect(validateContent(collection([article({ authors: ['web'] })], { authors }), { articleFiles: [FILE] }).map(formatProblem)).toEqual([
      `content/authors.ts: web.url: contains U+0002, a control character, at character 21, ${URL_RULE}`,
    ])
  })

  it('two spellings of a tag that give one address, naming the file that has the first', () => {
    const a = article({ tags: ['C'] })
    const b = article({ tags: ['C++'] })
    expect(validateContent(collection([a, b]), { articleFiles: ['content/articles/a.ts', FILE] }).map(formatProblem)).toEqual([
      `${FILE}: tags: "C++" has the address /tags/c, which "C" (content/articles/a.ts) has; spell the two alike, or tell them apart with a letter or digit`,
    ])
  })

  it('accepts CRLF line ends, markup in names and a tag like the section', () => {
    expect(problemsWith({ dek: 'one\r\ntwo', body: 'a\r\n\r\nb', tags: ['<script>alert(1)</script>', 'News'] })).toEqual([])
  })
})

describe('the characters text may not hold', () => {
  it('are exactly the controls but tab, LF and CR, the noncharacters and the unpaired surrogates, code point by code point', () => {
    // FORBIDDEN spells the set out for speed; this is its definition in Unicode's own terms.
    const definition = /(?![\t\n\r])[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]/u
    const disagree: string[] = []
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      const ch = String.fromCodePoint(cp)
      FORBIDDEN.lastIndex = 0
      if (FORBIDDEN.test(ch) !== definition.test(ch)) disagree.push(`U+${cp.toString(16).toUpperCase()}`)
    }
    expect(disagree).toEqual([])
    // A surrogate pair is one character, neither half of it unpaired.
    FORBIDDEN.lastIndex = 0
    expect(FORBIDDEN.test('a\u{1F600}b\uD800')).toBe(true)
    expect(FORBIDDEN.lastIndex).toBe('a\u{1F600}b\uD800'.length)
  })
})

describe('the collection', () => {
  it('refuses two articles with one slug or one id, naming both files', () => {
    const a = article({ slug: 'same', id: 'tag:test.example,2024:same' })
    const b = article({ slug: 'same', id: 'tag:test.example,2024:same' })
    const messages = validateContent(collection([a, b]), { articleFiles: ['content/articles/a.ts', 'content/articles/b.ts'] }).map(formatProblem)
    expect(messages).toEqual([
      'content/articles/b.ts: slug: "same" is already used by content/articles/a.ts',
      'content/articles/b.ts: id: "tag:test.example,2024:same" is already used by content/articles/a.ts',
    ])
  })

  it('refuses a default author that does not exist', () => {
    const site = { ...content.site, defaultAuthor: 'ghost' }
    expect(validateContent(collection([], { site }), { articleFiles: [] }).map(formatProblem)).toContain(
      'content/site.ts: defaultAuthor: "ghost" is not a key of content/authors.ts',
    )
  })
})

describe('the ledger of published ids', () => {
  const a = article({ id: 'tag:test.example,2024:first' })
  const sources = { articleFiles: ['content/articles/first.ts'] }

  it('fails when the id of an existing article changes', () => {
    const changed = { ...a, id: 'tag:test.example,2024:renamed' as const }
    expect(validateLedger({ 'content/articles/first.ts': a.id }, collection([changed]), sources).map(formatProblem)).toEqual([
      'content/articles/first.ts: id: was tag:test.example,2024:first when first published (content/ledger.json); an id never changes, or readers show the story twice',
    ])
  })

  it('fails when an article is missing from it, or it lists a file that is gone', () => {
    expect(validateLedger({}, collection([a]), sources).map(formatProblem)[0]).toMatch(/^content\/articles\/first.ts: id: tag:test.example,2024:first is not in content\/ledger.json/)
    expect(validateLedger({ 'content/articles/gone.ts': 'tag:x,2024:gone' }, collection([]), { articleFiles: [] }).map(formatProblem)[0]).toMatch(
      /^content\/ledger.json: content\/articles\/gone.ts: lists tag:x,2024:gone, but content\/articles\/gone.ts is gone/,
    )
  })

  it('on a draft deleted before it ran (`npm run new` lists it too), says to delete its line, as well as what a story that ran needs', async () => {
    const ws = contentWorkspace()
    try {
      const file = scaffoldArticle({ root: ws.root, headline: 'Never ran', idAuthority: 'herald.example.com,2024', timeZone: 'UTC', section: 'news' })
      rmSync(join(ws.root, file))
      writeArticleIndex(join(ws.root, 'content/articles'))
      const { problems } = await checkRepository(ws.root)
      expect(problems.map(formatProblem)).toEqual([
        `content/ledger.json: ${file}: lists tag:herald.example.com,2024:never-ran, but ${file} is gone; if the story ran, restore the file: a published story keeps its file (to take it down, give it withdrawn: { at, reason }); if it never ran (a draft), delete its line from content/ledger.json`,
      ])
    } finally {
      ws.cleanup()
    }
  })

  it('on a renamed file, says it is a rename in both messages, each naming the other file, and how to update the ledger', async () => {
    const ws = contentWorkspace()
    try {
      const [from, to] = ['content/articles/fleeing-fear-central-asians-exit-russia.ts', 'content/articles/fleeing.ts']
      const id = 'tag:herald.example.com,2024:fleeing-fear-central-asians-exit-russia'
      renameSync(join(ws.root, from), join(ws.root, to))
      writeArticleIndex(join(ws.root, 'content/articles'))
      const expected = [
        `content/ledger.json: ${from}: lists ${id}, but ${from} is gone and ${to} has its id: a rename; in content/ledger.json, replace "${from}" with "${to}" (the id stays)`,
        `${to}: id: ${id} is not in content/ledger.json, which lists it for ${from}, now gone: a rename; in content/ledger.json, replace "${from}" with "${to}"`,
      ]
      expect((await checkRepository(ws.root)).problems.map(formatProblem)).toEqual(expected)
      // The build's check of the collection (from the cache's facts) says the same.
      const { collectionProblems } = await import('../../scripts/lib/cache/check')
      expect(collectionProblems(content, [to], [{ id, slug: 'fleeing-fear-central-asians-exit-russia', tags: [] }], JSON.parse(readFileSync(join(ws.root, 'content/ledger.json'), 'utf8')), 'content/ledger.json').map(formatProblem)).toEqual(expected)
    } finally {
      ws.cleanup()
    }
  })

  it('agrees with the real collection', () => {
    const ledger = JSON.parse(readFileSync('content/ledger.json', 'utf8'))
    const files = JSON.parse(JSON.stringify(Object.keys(ledger)))
    expect(files).toContain('content/articles/fleeing-fear-central-asians-exit-russia.ts')
    expect(ledger['content/articles/fleeing-fear-central-asians-exit-russia.ts']).toBe(content.articles[0]!.id)
  })
})

describe('adding an article', () => {
  it('fails the check when a new file is not in the generated index', async () => {
    const ws = contentWorkspace()
    try {
      writeFileSync(join(ws.root, 'content/articles/extra.ts'), readFileSync('content/articles/fleeing-fear-central-asians-exit-russia.ts'))
      expect(articleIndexIsCurrent(join(ws.root, 'content/articles'))).toBe(false)
      const { problems } = await checkRepository(ws.root)
      expect(problems.map(formatProblem)).toEqual([
        'content/articles/index.ts: (index): does not list exactly the files in content/articles/; run `npm run index`',
      ])
    } finally {
      ws.cleanup()
    }
  })

  it('`npm run new` scaffolds a draft with a fresh id, its ledger entry and the index, and the check passes', async () => {
    const ws = contentWorkspace()
    try {
      const file = scaffoldArticle({
        root: ws.root, headline: 'Élections: Results are in!', idAuthority: 'herald.example.com,2024', timeZone: 'America/New_York', section: 'news',
        now: new Date('2026-11-25T14:30:00Z'),
      })
      expect(file).toBe('content/articles/elections-results-are-in.ts')
      const source = readFileSync(join(ws.root, file), 'utf8')
      expect(source).toContain("id: \"tag:herald.example.com,2024:elections-results-are-in\"")
      expect(source).toContain('published: "2026-11-25T09:30:00-05:00"')
      expect(source).toContain('draft: true')
      expect(JSON.parse(readFileSync(join(ws.root, 'content/ledger.json'), 'utf8'))[file]).toBe('tag:herald.example.com,2024:elections-results-are-in')
      const { problems, articles } = await checkRepository(ws.root)
      expect(problems.map(formatProblem)).toEqual([])
      expect(articles).toBe(content.articles.length + 1)
    } finally {
      ws.cleanup()
    }
  })

  it('never reuses a slug or id: a second story with the same headline gets "-2"', () => {
    const ws = contentWorkspace()
    try {
      const o = { root: ws.root, headline: 'Same headline', idAuthority: 'herald.example.com,2024', timeZone: 'UTC', section: 'news' }
      expect(scaffoldArticle(o)).toBe('content/articles/same-headline.ts')
      expect(scaffoldArticle(o)).toBe('content/articles/same-headline-2.ts')
    } finally {
      ws.cleanup()
    }
  })

  it('`npm run new` refuses a headline it cannot make a slug of, and an option it does not know, with a message and no file written', () => {
    const ws = contentWorkspace()
    try {
      const ledger = readFileSync(join(ws.root, 'content/ledger.json'), 'utf8')
      const run = (...args: string[]) => spawnSync(process.execPath, [join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), join(process.cwd(), 'scripts/new-article.ts'), ...args], { cwd: ws.root, encoding: 'utf8' })
      const cyrillic = run('Привет мир')
      expect(cyrillic.status).toBe(2)
      expect(cyrillic.stderr).toContain('cannot make a slug from "Привет мир"')
      expect(cyrillic.stderr).not.toMatch(/^\s+at /m)
      const help = run('--help')
      expect(help.status).toBe(2)
      expect(help.stderr).toContain('usage: npm run new -- "Headline of the story"')
      expect(readFileSync(join(ws.root, 'content/ledger.json'), 'utf8')).toBe(ledger)
      expect(articleIndexIsCurrent(join(ws.root, 'content/articles'))).toBe(true)
      expect(readFileSync(join(ws.root, 'content/articles/index.ts'), 'utf8')).not.toContain('help')
    } finally {
      ws.cleanup()
    }
  })

  it('gives each file its own name in the generated index, even files whose names differ only in punctuation or case', () => {
    const index = renderArticleIndex(['a-b.ts', 'a_b.ts', 'aB.ts'])
    const names = [...index.matchAll(/^import (\w+) from '\.\/(.+)'$/gm)].map((m) => m[1])
    expect(names).toHaveLength(3)
    expect(new Set(names).size).toBe(3)
    // Names that do not clash are as before: an index generated before stays current.
    expect(renderArticleIndex(['fleeing-fear-central-asians-exit-russia.ts'])).toContain('import article_fleeingFearCentralAsiansExitRussia from')
  })

  it("writes any file name into the index as the string it is: an apostrophe or a backslash (legal on Linux) made it invalid or another file's", async () => {
    const { init, parse } = await import('es-module-lexer')
    await init
    const files = ["o'brien.ts", 'back\\slash.ts', 'plain.ts']
    const index = renderArticleIndex(files)
    const [imports] = parse(index.replace("import type { Article } from '../../src/content/article'\n", ''))
    expect(imports.map((i) => i.n)).toEqual(["./o'brien", './back\\slash', './plain'])
    // The list of files is the same strings (esbuild reads the whole module as TypeScript).
    const { transformSync } = await import('esbuild')
    const js = transformSync(index.replace(/^import .*$/gm, ''), { loader: 'ts', format: 'cjs' }).code
    const mod = { exports: {} as { articleFiles?: string[] } }
    new Function('module', 'exports', js.replace(/articles = \[[^\]]*\]/, 'articles = []'))(mod, mod.exports)
    expect(mod.exports.articleFiles).toEqual(files)
  })

  it('accepts nesting markdown-it renders whole: 99 quotes, a list 30 levels deep', () => {
    expect(problemsWith({ body: `${'>'.repeat(99)} deep` })).toEqual([])
    expect(problemsWith({ body: Array.from({ length: 30 }, (_, i) => `${'  '.repeat(i)}- item ${i}`).join('\n') })).toEqual([])
  })

  it('makes slugs from any headline', () => {
    expect(slugify('Fleeing Fear: Central Asians Exit Russia Amid Rising Hostility')).toBe('fleeing-fear-central-asians-exit-russia-amid-rising-hostility')
    expect(slugify('  Ça coûte 10 €!  ')).toBe('ca-coute-10')
  })
})

describe('npm run check', () => {
  it('exits 1 and prints file: field: problem for a broken article', () => {
    const ws = contentWorkspace()
    try {
      const file = join(ws.root, 'content/articles/fleeing-fear-central-asians-exit-russia.ts')
      writeFileSync(file, readFileSync(file, 'utf8').replace("published: '2024-03-28T19:58:00-04:00'", "published: '2024-03-28T19:58:00-05:00'"))
      const run = spawnSync(process.execPath, [join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), join(process.cwd(), 'scripts/check-content.ts')], { cwd: ws.root, encoding: 'utf8' })
      expect(run.status).toBe(1)
      expect(run.stderr).toContain(
        'content/articles/fleeing-fear-central-asians-exit-russia.ts: published: offset of 2024-03-28T19:58:00-05:00 does not match America/New_York, which was at -04:00 then',
      )
    } finally {
      ws.cleanup()
    }
  })

  it('names file and line of a module that does not load, with no stack trace, and refuses what the build refuses', () => {
    const ws = contentWorkspace()
    try {
      const file = join(ws.root, 'content/articles/fleeing-fear-central-asians-exit-russia.ts')
      const source = readFileSync(file, 'utf8')
      const check = () => spawnSync(process.execPath, [join(process.cwd(), 'node_modules/tsx/dist/cli.mjs'), join(process.cwd(), 'scripts/check-content.ts')], { cwd: ws.root, encoding: 'utf8' })
      const cases: [string, string][] = [
        [source.replace("  slug: 'fleeing", "  slug: 'fleeing',,"), 'content/articles/fleeing-fear-central-asians-exit-russia.ts: (module): line 5: Expected identifier but found ","'],
        [source.replace('export default', "throw new Error('boom')\nexport default"), 'content/articles/fleeing-fear-central-asians-exit-russia.ts: (module): throws when loaded: boom'],
        // The build caches an article by its own text: it refuses these, so the check must too.
        [source.replace("import { defineArticle } from '../define'", "import { defineArticle } from '../define'\nimport other from './index'"), 'content/articles/fleeing-fear-central-asians-exit-russia.ts: (module): imports ./index: an article may import only files outside content/articles/'],
        [source.replace("import { defineArticle } from '../define'", "import { defineArticle } from '../define'\nimport x from '../nowhere'"), 'content/articles/fleeing-fear-central-asians-exit-russia.ts: (module): throws when loaded: Build failed with 1 error:'],
      ]
      for (const [text, message] of cases) {
        writeFileSync(file, text)
        const run = check()
        expect(run.status, run.stdout).toBe(1)
        expect(run.stderr).toContain(message)
        expect(run.stderr).not.toMatch(/^\s+at /m)
        // The id is not read from a module that did not load: not also "an id never changes".
        expect(run.stderr).not.toContain('an id never changes')
      }
    } finally {
      ws.cleanup()
    }
  })

  it('exits 0 on the real content', () => {
    expect(execFileSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'scripts/check-content.ts'], { encoding: 'utf8' })).toMatch(/no problems/)
  })
})
