/**
 * @module
 * The normalisation boundary: every string and every URL an editor writes passes one of these
 * rules before it enters the collection, and nothing else cleans content. Each rule gives the
 * value as the collection keeps it, and, when the check must refuse the value, what is wrong and
 * what would be accepted. The check (validate.ts) reports the refusals; the collection
 * (collection.ts) keeps only values the rules made, so the renderers can assume clean input.
 *
 * One rule per kind of value:
 * - plain text (headline, dek, caption, credit, alt text, descriptions): CR and CRLF become LF
 *   (what an XML parser would report, XML 1.0 §2.11); control characters other than tab and line
 *   feed, Unicode noncharacters and unpaired surrogates are refused; so is text with nothing
 *   visible in it (only spaces, zero-width or bidi controls).
 * - Markdown (body): the plain-text rule; links are the Markdown renderer's business.
 * - name (tags, author and section names): the plain-text rule, then trimmed, with every run of
 *   white space (tabs and line breaks included) one space: a name is one line.
 * - tag: a name whose slug (site-map.ts `tagSlug`) is not empty.
 * - URL: an absolute http(s) URL as the WHATWG URL parser reads it, kept in the serialiser's
 *   spelling, so every format prints the same RFC 3986 URI; characters a URI cannot hold (space,
 *   quotes, `<`, `>`, controls, invisible characters, a `%` that begins no escape) are refused
 *   rather than silently encoded, and so are user names and passwords.
 * - key (article slugs, section and author keys): site-map.ts `KEY_SLUG`.
 */
import { KEY_SLUG, tagSlug } from '../site-map'
import { ARCHIVE_ORIGIN } from '../archive/format'

/** The host the archive writes the site's own origin as: the Worker swaps its links for its origin. */
const ARCHIVE_HOST = new URL(ARCHIVE_ORIGIN).host

/** What a rule made of a value: `value` is what the collection keeps (undefined: nothing usable). */
export interface Normalised {
  value: string | undefined
  /** Why the check refuses the value, and what it would accept. */
  problem?: string
}

/**
 * Refused in any text: C0 and C1 controls except tab, LF and CR (XML 1.0 §2.2 forbids the C0 ones;
 * the C1 ones are legal XML but no editor means them), noncharacters (Unicode §23.7) and unpaired
 * surrogates, which UTF-8 cannot encode. That is `(?![\t\n\r])[\p{Cc}\p{Cs}\p{Noncharacter_Code_Point}]`
 * spelt out (both sets are closed: Unicode never adds a control or a noncharacter): with the
 * look-ahead, the scan of every article body was 3% of a build thread's time, and three times this
 * one's. tests/node/content-check.test.ts holds the two to the same answer for every code point.
 */
export const FORBIDDEN = /[\0-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\p{Cs}\uFDD0-\uFDEF\uFFFE\uFFFF\u{1FFFE}\u{1FFFF}\u{2FFFE}\u{2FFFF}\u{3FFFE}\u{3FFFF}\u{4FFFE}\u{4FFFF}\u{5FFFE}\u{5FFFF}\u{6FFFE}\u{6FFFF}\u{7FFFE}\u{7FFFF}\u{8FFFE}\u{8FFFF}\u{9FFFE}\u{9FFFF}\u{AFFFE}\u{AFFFF}\u{BFFFE}\u{BFFFF}\u{CFFFE}\u{CFFFF}\u{DFFFE}\u{DFFFF}\u{EFFFE}\u{EFFFF}\u{FFFFE}\u{FFFFF}\u{10FFFE}\u{10FFFF}]/gu
/** What does not show: white space, format and default-ignorable characters (zero-width, bidi controls, BOM). */
const INVISIBLE = /^[\s\p{Z}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]*$/u

/** Whether `text` shows nothing (see INVISIBLE): the check holds a body's rendered text and alt texts to it too. */
export function invisible(text: string): boolean {
  return INVISIBLE.test(text)
}

function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
}

/** A character text may not hold, as the check names it ("U+0007, a control character"). */
export function describe(ch: string): string {
  const cp = ch.codePointAt(0)!
  if (cp >= 0xd800 && cp <= 0xdfff) return `${codePoint(ch)}, half of a surrogate pair without its other half`
  if (/\p{Noncharacter_Code_Point}/u.test(ch)) return `${codePoint(ch)}, a Unicode noncharacter`
  return `${codePoint(ch)}, a control character`
}

/** The plain-text rule. */
export function plainText(text: string): Normalised {
  const lf = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text
  FORBIDDEN.lastIndex = 0
  const bad = FORBIDDEN.exec(lf)
  const value = bad ? lf.replace(FORBIDDEN, '') : lf
  if (bad) {
    return { value, problem: `contains ${describe(bad[0])}, at character ${bad.index + 1}; text may hold any character but controls (tab and line breaks are fine), noncharacters and unpaired surrogates` }
  }
  if (INVISIBLE.test(value)) {
    return { value, problem: value === '' ? 'must not be empty' : 'has nothing visible in it (only spaces, zero-width or direction marks); write the text' }
  }
  return { value }
}

/** The Markdown rule: a body is plain text to this module. */
export const markdown = plainText

/** The name rule: plain text on one line. */
export function name(text: string): Normalised {
  const t = plainText(text)
  const value = t.value?.replace(/\s+/g, ' ').trim()
  return { ...t, value }
}

/** The tag rule: a name with a non-empty slug, since the tag's address is made of it. */
export function tag(text: string): Normalised {
  const n = name(text)
  if (n.problem || n.value === undefined) return n
  if (tagSlug(n.value) === '') {
    return { value: undefined, problem: `"${n.value}" has no letter or digit, and its address /tags/<slug> is made of those; add a word` }
  }
  return n
}

/** Characters RFC 3986 has no place for, which the URL serialiser would encode or drop without a word. */
const NOT_IN_URI = /[\s"<>\\^`{|}\p{Cc}\p{Cf}\p{Cs}\p{Noncharacter_Code_Point}\p{Default_Ignorable_Code_Point}]/u

const URL_EXAMPLE = 'an absolute http(s) URL such as https://images.example.com/a%20photo.jpg'

/** The URL rule. */
export function url(text: string): Normalised {
  const bad = NOT_IN_URI.exec(text)
  if (bad) {
    const what = bad[0] === ' ' ? 'a space' : bad[0] === '"' ? 'a double quote' : /^[\x21-\x7e]$/.test(bad[0]) ? `"${bad[0]}"` : describe(bad[0])
    return { value: undefined, problem: `contains ${what}, at character ${bad.index + 1}, which a URL cannot hold; percent-encode it (a space is %20): expected ${URL_EXAMPLE}` }
  }
  let parsed: URL
  try {
    parsed = new URL(text)
  } catch {
    return { value: undefined, problem: `is not a URL: expected ${URL_EXAMPLE}` }
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return { value: undefined, problem: `is a ${parsed.protocol} URL: expected ${URL_EXAMPLE}` }
  }
  if (parsed.host === ARCHIVE_HOST) {
    // Pages and item HTML would link to the site instead, and JSON Feed's image field would not: the formats would disagree.
    return { value: undefined, problem: `is on ${ARCHIVE_HOST}, the host the build writes this site's own links with; link to the site with a path such as /articles/other-story, or give the real URL` }
  }
  if (parsed.username || parsed.password) {
    // Published in every feed, and refused by feed validators ("url must be a full URL").
    return { value: undefined, problem: `carries a user name or password before its host; leave them out: expected ${URL_EXAMPLE}` }
  }
  // The serialiser leaves a few characters as written that RFC 3986 has no place for outside the host.
  const rest = parsed.pathname + parsed.search + parsed.hash.slice(1)
  const stray = /%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/.exec(rest)
  if (stray) {
    const what = stray[0] === '%' ? 'a "%" that begins no percent-escape (write %25 for a percent sign)' : `"${stray[0]}", which a URL cannot hold outside its host (percent-encode it)`
    return { value: undefined, problem: `contains ${what}: expected ${URL_EXAMPLE}` }
  }
  return { value: parsed.href }
}

/** The key rule. */
export function key(text: string): Normalised {
  return KEY_SLUG.test(text) ? { value: text } : { value: undefined, problem: 'must be lowercase letters, digits and single hyphens, such as central-asia' }
}
