/**
 * @module
 * The content check (`npm run check`): every rule the types cannot express, over the whole
 * collection. Each problem names the file and the field — `content/articles/x.ts: published: …` —
 * and every problem is reported, not just the first. Runs at build time only; the worker never
 * imports it.
 */
import { z } from 'zod'
import { KEY_SLUG } from '../site-map'
import type { Article, Content, Site } from '../content/article'
import { cleanContent, type Problem, type Sources } from './clean'
import { anchorOf } from '../content/story'
import { MAX_NESTING, parseMarkdown } from './markdown'
import { describe, invisible, url as urlRule } from './normalise'

export type { Problem, Sources }

export function formatProblem(p: Problem): string {
  return `${p.file}: ${p.field}: ${p.message}`
}

const SLUG = KEY_SLUG
/** RFC 3339 §5.6 `date-time`, the profile of ISO 8601 that Atom, JSON Feed and RSS dates use. */
/** Its parts (year, month, day, hour, minute, second, offset hours and minutes) are for `unrealPart`. */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/
/** ISO 8601 without seconds: valid ISO 8601, but not RFC 3339, so refused with its own message. */
const NO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/
/** RFC 4151 §2.1: `tag:` authorityName "," date ":" specific. */
const TAG_URI = /^tag:[a-z0-9.-]+(@[a-z0-9.-]+)?,\d{4}(-\d{2}(-\d{2})?)?:(?:[!$&'()*+,;=\-.~:@/?A-Za-z0-9_]|%[0-9A-Fa-f]{2})+$/
const TAG_AUTHORITY = /^[a-z0-9.-]+(@[a-z0-9.-]+)?,\d{4}(-\d{2}(-\d{2})?)?$/

/** A string field; its value is the normalisation boundary's business (clean.ts). */
const text = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? `${what} is required` : `${what} must be text in quotes, not ${kindOf(issue.input)}`) })
const absoluteUrl = z.string({ error: 'must be an absolute http(s) URL' })

/** What an editor wrote instead of text, in their words. */
function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  if (typeof value === 'number') return `a number (${value})`
  if (typeof value === 'boolean') return `${value}`
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/** The known field nearest to a misspelt one (at most two edits away), for "did you mean". */
function nearest(key: string, known: readonly string[]): string | undefined {
  let best: [string, number] | undefined
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase())
    if (d <= 2 && (!best || d < best[1])) best = [k, d]
  }
  return best?.[0]
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next.push(Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)))
    row = next
  }
  return row[b.length]!
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/**
 * What is not a real calendar date or clock time in an instant of the INSTANT form, in the
 * editor's words ("month 13 is out of range (01 to 12)"); undefined when it is real. JavaScript
 * would roll 2024-02-30 over to March 1, so each part is held to its range here.
 */
function unrealPart(s: string, parts: RegExpExecArray): string | undefined {
  const [, y, mo, d, h, min, sec, offH, offM] = parts
  const month = Number(mo)
  if (month < 1 || month > 12) return `month ${mo} is out of range (01 to 12)`
  // Day 0 of the next month is the last of this one (setUTCFullYear: Date.UTC reads years 0-99 as 1900-1999).
  const last = new Date(0)
  last.setUTCFullYear(Number(y), month, 0)
  const days = last.getUTCDate()
  if (Number(d) < 1 || Number(d) > days) return `day ${d} is out of range: ${MONTHS[month - 1]} ${y} has ${days} days`
  if (Number(h) > 23) return `hour ${h} is out of range (00 to 23)`
  if (Number(min) > 59) return `minute ${min} is out of range (00 to 59)`
  if (Number(sec) > 59) return `second ${sec} is out of range (00 to 59)`
  if (offH !== undefined && (Number(offH) > 23 || Number(offM) > 59)) return `UTC offset ${s.slice(-6)} is out of range (hours 00 to 23, minutes 00 to 59)`
  const at = Date.parse(s)
  if (Number.isNaN(at)) return 'it is not a date JavaScript can read'
  // Feeds, pages and HTTP carry the instant in UTC, where a four-digit year is all RFC 3339,
  // RFC 822 and HTTP-dates can write: 9999-12-31T23:00:00-12:00 is in the year 10000 there.
  const utcYear = new Date(at).getUTCFullYear()
  if (utcYear < 0 || utcYear > 9999) return `in UTC it falls in the year ${utcYear}, and feeds can write only the years 0000 to 9999`
  return undefined
}

const INSTANT_FORM = 'must be an ISO 8601 instant with its UTC offset, e.g. 2024-03-28T19:58:00-04:00'

const instant = z
  .string()
  .refine((s) => !NO_SECONDS.test(s), {
    message: 'has no seconds: feeds carry RFC 3339 instants, which need them; write e.g. 2024-03-28T19:58:00-04:00',
    abort: true,
  })
  .superRefine((s, ctx) => {
    const parts = INSTANT.exec(s)
    if (!parts) return void ctx.addIssue({ code: 'custom', message: INSTANT_FORM })
    const unreal = unrealPart(s, parts)
    if (unreal) ctx.addIssue({ code: 'custom', message: `${s} is no real date and time: ${unreal}` })
  })

const timeZone = z.string().refine((tz) => {
  try {
    zoneFormat(tz)
    return tz.includes('/') || tz === 'UTC'
  } catch {
    return false
  }
}, 'must be an IANA time zone such as America/New_York')

// One formatter per zone: constructing one costs more than using it, and a newsroom's archive
// has a handful of zones across 100,000 articles.
const zoneFormats = new Map<string, Intl.DateTimeFormat>()
function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    })
    zoneFormats.set(timeZone, format)
  }
  return format
}

const language = z.string().refine((tag) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1
  } catch {
    return false
  }
}, 'must be a BCP 47 language tag such as en or pt-BR')

const positiveInt = z.number().int().positive()

const articleSchema = z.object({
  id: z
    .string()
    .refine((id) => TAG_URI.test(id), 'must be a tag: URI such as tag:herald.example.com,2024:my-story (RFC 4151)')
    .refine((id) => {
      try {
        return new URL(id).href === id
      } catch {
        return false
      }
    }, 'must be written in normalised form, since Atom ids are URL-normalised and must equal the RSS guid'),
  slug: z.string().regex(SLUG, 'must be lowercase letters, digits and single hyphens'),
  headline: text('headline'),
  dek: text('dek'),
  section: z.string(),
  tags: z.array(text('tag')),
  authors: z
    .array(z.string(), { error: (issue) => (issue.code === 'invalid_type' && !Array.isArray(issue.input) ? `must be a list of keys of content/authors.ts, such as ['jane-doe'], not ${kindOf(issue.input)}` : undefined) })
    .min(1, 'must name at least one author, or be left out')
    .optional(),
  published: instant,
  updated: instant.optional(),
  timeZone,
  body: text('body'),
  image: z
    .object({
      caption: text('caption'),
      credit: text('credit'),
      file: z
        .object({
          url: absoluteUrl,
          alt: text('alt text'),
          width: positiveInt,
          height: positiveInt,
          type: z.enum(['image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif']),
          bytes: positiveInt,
        })
        .strict()
        .optional(),
    })
    .strict()
    .optional(),
  withdrawn: z
    .object({ at: instant, reason: text('reason') }, { error: (issue) => (issue.code === 'invalid_type' ? 'must be { at: <instant>, reason: <public reason> }' : undefined) })
    .strict()
    .optional(),
  draft: z.boolean().optional(),
  language: language.optional(),
}).strict()

const siteSchema = z.object({
  title: text('title'),
  description: text('description'),
  language,
  copyright: text('copyright'),
  defaultAuthor: z.string(),
  idAuthority: z.string().regex(TAG_AUTHORITY, 'must be a domain and date, e.g. herald.example.com,2024'),
  timeZone,
  fediverseUsername: z.string().regex(/^[a-z0-9_]{1,30}$/, 'must be 1 to 30 lowercase letters, digits or underscores').optional(),
})

/** The UTC offset, in minutes, that `timeZone` had at `instant`. */
function zoneOffset(instant: Date, timeZone: string): number {
  const parts = zoneFormat(timeZone).formatToParts(instant)
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value)
  // The year of the era: 1 BC is the year 0000 of an instant. setUTCFullYear, since Date.UTC reads years 0-99 as 1900-1999.
  const year = parts.find((p) => p.type === 'era')?.value === 'BC' ? 1 - get('year') : get('year')
  const local = new Date(0)
  local.setUTCFullYear(year, get('month') - 1, get('day'))
  local.setUTCHours(get('hour'), get('minute'), get('second'))
  return Math.round((local.getTime() - Math.floor(instant.getTime() / 1000) * 1000) / 60_000)
}

function writtenOffset(value: string): number {
  if (value.endsWith('Z')) return 0
  const [, sign, h, m] = /([+-])(\d{2}):(\d{2})$/.exec(value)!
  return (sign === '-' ? -1 : 1) * (Number(h) * 60 + Number(m))
}

type BodyProblem = { field: string; message: string }
type Tokens = ReturnType<typeof parseMarkdown>['tokens']

/**
 * A story's body at most (UTF-8): far beyond any story, and small enough that the files the body
 * lands in stay under the 25 MiB Cloudflare deploys as one static asset (its story block, its
 * feed pages), which a larger body broke only at deploy, naming no article.
 */
export const MAX_BODY_BYTES = 1024 * 1024

function bodyProblems(body: string): BodyProblem[] {
  const problems: BodyProblem[] = []
  const bytes = body.length <= MAX_BODY_BYTES / 3 ? body.length : new TextEncoder().encode(body).byteLength
  if (bytes > MAX_BODY_BYTES) {
    return [{ field: 'body', message: `is ${(bytes / 1048576).toFixed(1)} MiB, more than the ${MAX_BODY_BYTES / 1048576} MiB a story's body may be (the archive's files must stay under Cloudflare's 25 MiB per static asset): split it into stories that link to each other` }]
  }
  const { tokens, badReferences, tooDeep } = parseMarkdown(body)
  if (tooDeep) problems.push({ field: 'body', message: `nests quotes or lists more than ${MAX_NESTING} levels deep, where Markdown drops the rest of the text: nest less` })
  for (const ref of new Set(badReferences)) {
    const cp = ref[2] === 'x' || ref[2] === 'X' ? parseInt(ref.slice(3), 16) : parseInt(ref.slice(2), 10)
    const what = cp > 0x10ffff ? 'no Unicode code point' : describe(String.fromCodePoint(cp))
    problems.push({ field: 'body', message: `the character reference ${ref} stands for ${what}, which markdown-it would print as U+FFFD; text may hold any character but controls (tab and line breaks are fine), noncharacters and unpaired surrogates` })
  }
  linkProblems(tokens, problems)
  // A body of link reference definitions alone, or of rules and empty markup, renders to nothing a
  // reader sees: a blank Atom content, an RSS item without its story.
  if (!shows(tokens)) problems.push({ field: 'body', message: 'renders to nothing a reader can see (only link definitions, rules or empty markup); write the story' })
  return problems
}

/** Whether the tokens print text or an image. */
function shows(tokens: Tokens): boolean {
  return tokens.some((t) => t.type === 'image' || (['text', 'code_inline', 'code_block', 'fence'].includes(t.type) && !invisible(t.content)) || (t.children !== null && shows(t.children)))
}

/** The alt text an image's tokens render to (markdown-it's renderInlineAsText). */
function altText(tokens: Tokens): string {
  return tokens.map((t) => (t.type === 'text' || t.type === 'code_inline' ? t.content : t.type === 'image' ? altText(t.children ?? []) : t.type === 'softbreak' || t.type === 'hardbreak' ? '\n' : '')).join('')
}

function linkProblems(tokens: Tokens, problems: BodyProblem[]): void {
  for (const t of tokens) {
    if (t.type === 'image' && invisible(altText(t.children ?? []))) {
      problems.push({ field: 'body', message: `image ${t.attrGet('src')} has no alt text: write ![what it shows](url)` })
    }
    const url = (t.attrGet("href") ?? t.attrGet("src"))?.toString() ?? null
    if (url !== null && /^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(https?|mailto):/i.test(url)) {
      problems.push({ field: 'body', message: `link ${url} must be http(s), mailto, or a path on this site` })
    } else if (url !== null && /^https?:/i.test(url)) {
      // As the URL fields are held: markdown-it would print an unparsable one as written (`https://`), or resolve it against the site (`https:`).
      const problem = urlRule(url).problem
      if (problem) problems.push({ field: 'body', message: `${t.type === 'image' ? 'image' : 'link'} ${url} ${problem}` })
    } else if (url !== null && !/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^\/(?!\/)/.test(url)) {
      // markdown.ts resolves it against the origin: `other-story` on /articles/x would be /other-story, `#notes` the home page.
      problems.push({ field: 'body', message: `${t.type === 'image' ? 'image' : 'link'} ${url} is relative; pages and feeds resolve it against the site's root, not the story's address: write a path from the root, such as /articles/other-story, or an absolute URL` })
    }
    if (t.children) linkProblems(t.children, problems)
  }
}

/**
 * The rules between articles: no two share a slug, an id or a paging anchor. Fed one article at a
 * time, in file order, by the check and by the incremental build (which checks each article alone
 * and only these rules across them).
 */
export class Uniqueness {
  readonly #slugs = new Map<string, string>()
  readonly #ids = new Map<string, string>()
  readonly #anchors = new Map<string, string>()

  add(file: string, article: { slug?: unknown; id?: unknown }): Problem[] {
    const problems: Problem[] = []
    const add = (field: string, message: string) => problems.push({ file, field, message })
    if (typeof article.slug === 'string') {
      const other = this.#slugs.get(article.slug)
      if (other) add('slug', `"${article.slug}" is already used by ${other}`)
      else this.#slugs.set(article.slug, file)
    }
    if (typeof article.id === 'string') {
      const other = this.#ids.get(article.id)
      if (other) add('id', `"${article.id}" is already used by ${other}`)
      else this.#ids.set(article.id, file)
      // Paging URLs name a story by a 64-bit hash of its id: two ids may not share one.
      const anchor = anchorOf(article.id)
      const clash = this.#anchors.get(anchor)
      if (clash && !other) add('id', `its paging anchor ${anchor} collides with ${clash}'s; mint another id`)
      else this.#anchors.set(anchor, file)
    }
    return problems
  }
}

/** Every problem in the collection; empty when it may be deployed. */
export function validateContent(content: Content, sources: Sources): Problem[] {
  const problems: Problem[] = [...cleanContent(content, sources).problems]
  const siteFile = sources.site ?? 'content/site.ts'

  const site = siteSchema.safeParse(content.site)
  if (!site.success) {
    for (const issue of site.error.issues) problems.push({ file: siteFile, field: issue.path.join('.') || '(site)', message: issue.message })
  }
  if (!Object.hasOwn(content.authors, content.site.defaultAuthor)) {
    problems.push({ file: siteFile, field: 'defaultAuthor', message: `"${content.site.defaultAuthor}" is not a key of content/authors.ts` })
  }
  for (const [key, author] of Object.entries(content.authors)) {
    const file = sources.authors ?? 'content/authors.ts'
    if (!SLUG.test(key)) problems.push({ file, field: key, message: 'author keys must be lowercase letters, digits and hyphens' })
    if (typeof author.name !== 'string') problems.push({ file, field: `${key}.name`, message: 'name is required' })
    if (author.url !== undefined && typeof author.url !== 'string') problems.push({ file, field: `${key}.url`, message: 'must be an absolute http(s) URL' })
  }
  for (const [key, section] of Object.entries(content.sections)) {
    const file = sources.sections ?? 'content/sections.ts'
    if (!SLUG.test(key)) problems.push({ file, field: key, message: 'section keys must be lowercase letters, digits and hyphens' })
    if (typeof section.name !== 'string') problems.push({ file, field: `${key}.name`, message: 'name is required' })
  }

  const unique = new Uniqueness()
  // Each article by a function of the module's, not a closure made per call: V8 keeps a closure's
  // optimised code only while one lives, and the build calls this once per article, so closures
  // made here were compiled again after every major GC (a build thread spent about a fifth of its
  // CPU in TurboFan, much of it on such closures).
  content.articles.forEach((article: Article, i) => articleProblems(content, article, sources.articleFiles[i] ?? `content.articles[${i}]`, unique, problems))
  return problems
}

const okInstant = (v: unknown): v is string => typeof v === 'string' && instant.safeParse(v).success

/** The problems of one article on its own, and with `unique`, against the others before it. */
function articleProblems(content: Content, article: Article, file: string, unique: Uniqueness, problems: Problem[]): void {
  const parsed = articleSchema.safeParse(article)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      // A misspelt field at the top: name the field it was likely meant to be.
      const meant = issue.code === 'unrecognized_keys' && issue.path.length === 0 && issue.keys.length === 1 ? nearest(issue.keys[0]!, Object.keys(articleSchema.shape)) : undefined
      problems.push({ file, field: issue.path.join('.') || '(article)', message: meant ? `${issue.message}; did you mean "${meant}"?` : issue.message })
    }
  }
  if (typeof article !== 'object' || article === null) return

  problems.push(...unique.add(file, article))
  if (typeof article.section === 'string' && !Object.hasOwn(content.sections, article.section)) {
    problems.push({ file, field: 'section', message: `"${article.section}" is not a key of content/sections.ts (${Object.keys(content.sections).join(', ')})` })
  }
  // The schema has refused authors that are not a list; each key of a list is looked up here.
  for (const key of Array.isArray(article.authors) ? article.authors : []) {
    if (typeof key === 'string' && !Object.hasOwn(content.authors, key)) problems.push({ file, field: 'authors', message: `"${key}" is not a key of content/authors.ts` })
  }
  if (okInstant(article.published) && okInstant(article.updated) && Date.parse(article.updated) < Date.parse(article.published)) {
    problems.push({ file, field: 'updated', message: `${article.updated} is before published (${article.published})` })
  }
  const withdrawnAt = typeof article.withdrawn === 'object' && article.withdrawn !== null ? article.withdrawn.at : undefined
  if (okInstant(withdrawnAt)) {
    // A story is withdrawn after it ran, and not corrected afterwards: its page is a notice from then on.
    for (const field of ['published', 'updated'] as const) {
      const value = article[field]
      if (okInstant(value) && Date.parse(withdrawnAt) < Date.parse(value)) {
        problems.push({ file, field: 'withdrawn.at', message: `${withdrawnAt} is before ${field} (${value}); ${field === 'published' ? 'a story is withdrawn after it ran' : 'a story is not corrected after it is withdrawn'}` })
      }
    }
  }
  if (timeZone.safeParse(article.timeZone).success) {
    for (const [field, value] of [['published', article.published], ['updated', article.updated], ['withdrawn.at', withdrawnAt]] as const) {
      if (!okInstant(value)) continue
      const expected = zoneOffset(new Date(value), article.timeZone)
      if (expected !== writtenOffset(value)) {
        const hhmm = `${expected < 0 ? '-' : '+'}${String(Math.floor(Math.abs(expected) / 60)).padStart(2, '0')}:${String(Math.abs(expected) % 60).padStart(2, '0')}`
        problems.push({ file, field, message: `offset of ${value} does not match ${article.timeZone}, which was at ${hhmm} then` })
      }
    }
  }
  if (typeof article.body === 'string') for (const p of bodyProblems(article.body)) problems.push({ file, field: p.field, message: p.message })
}

/** The published-id ledger: file → id, committed, so that an id can never silently change. */
export type Ledger = Readonly<Record<string, string>>

export function validateLedger(ledger: Ledger, content: Content, sources: Sources, ledgerFile = 'content/ledger.json'): Problem[] {
  const problems: Problem[] = []
  const byFile = new Map(content.articles.map((a, i) => [sources.articleFiles[i]!, a]))
  // An article that is not an object (a module that did not load) has its own problem: the ledger is not held against it too.
  const isArticle = (a: unknown) => typeof a === 'object' && a !== null
  // Files the ledger does not list, by their id: one holding the id of a listed file that is gone was renamed from it.
  const unlisted = new Map<string, string>()
  for (const [file, article] of byFile) if (!(file in ledger) && isArticle(article) && typeof article.id === 'string' && !unlisted.has(article.id)) unlisted.set(article.id, file)
  const renamedTo = new Map<string, string>()
  for (const [file, id] of Object.entries(ledger)) {
    const article = byFile.get(file)
    if (!byFile.has(file)) {
      const now = unlisted.get(id)
      if (now !== undefined && !renamedTo.has(now)) {
        renamedTo.set(now, file)
        problems.push({ file: ledgerFile, field: file, message: `lists ${id}, but ${file} is gone and ${now} has its id: a rename; in ${ledgerFile}, replace "${file}" with "${now}" (the id stays)` })
      } else {
        // The ledger cannot tell a story that ran from a draft: `npm run new` lists a draft's id here too.
        problems.push({ file: ledgerFile, field: file, message: `lists ${id}, but ${file} is gone; if the story ran, restore the file: a published story keeps its file (to take it down, give it withdrawn: { at, reason }); if it never ran (a draft), delete its line from ${ledgerFile}` })
      }
    } else if (isArticle(article) && article!.id !== id) {
      problems.push({ file, field: 'id', message: `was ${id} when first published (content/ledger.json); an id never changes, or readers show the story twice` })
    }
  }
  for (const [file, article] of byFile) {
    if (!(file in ledger) && isArticle(article)) {
      const from = renamedTo.get(file)
      problems.push({
        file,
        field: 'id',
        message: from !== undefined
          ? `${article.id} is not in ${ledgerFile}, which lists it for ${from}, now gone: a rename; in ${ledgerFile}, replace "${from}" with "${file}"`
          : `${article.id} is not in ${ledgerFile}; \`npm run new\` adds it, or add "${file}": "${article.id}"`,
      })
    }
  }
  return problems
}

export type { Site }
