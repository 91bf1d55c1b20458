/**
 * @module
 * The article model: what an editor writes in `content/articles/<slug>.ts`.
 *
 * Types catch the shape (a missing headline, an unknown section); `npm run check`
 * (src/build/validate.ts) catches the values (a bad instant, a relative URL, a duplicate slug).
 */

/** An ISO 8601 instant with its UTC offset, as the dateline gives it: `2024-03-28T19:58:00-04:00`. */
export type Instant = `${number}-${number}-${number}T${number}:${number}:${number}${'Z' | `${'+' | '-'}${string}`}`

/**
 * The permanent identity of a story, minted once by `npm run new` and never changed: RSS guid,
 * Atom id and JSON Feed id. A `tag:` URI (RFC 4151) so that it survives a new domain, a new slug
 * or a corrected headline; readers such as Miniflux key entries on it.
 */
export type StoryId = `tag:${string}`

/** Image types a feed reader can show; the enclosure and Media RSS carry this exact type. */
export type ImageMimeType = 'image/jpeg' | 'image/png' | 'image/webp' | 'image/gif' | 'image/avif'

/** An image file that exists: everything a reader needs to show it before downloading it. */
export interface ImageFile {
  /** Absolute URL of the file. */
  url: string
  /** What the image shows, for people who cannot see it. */
  alt: string
  width: number
  height: number
  type: ImageMimeType
  /** The file's size in bytes (RSS `enclosure/@length`, Media RSS `fileSize`). */
  bytes: number
}

/**
 * The lead image. Caption and credit are article data even when no file came with the copy,
 * so `file` is optional: without it the caption and credit still reach readers, and no URL is made up.
 */
export interface LeadImage {
  caption: string
  credit: string
  file?: ImageFile
}

/**
 * A story taken down after it ran. From `at` on (no redeploy needed: the instant may be in the
 * future at build time) its page answers `410 Gone` with the reason, it leaves every feed, listing
 * and outbox, and followers get a `Delete` (src/archive/withdrawals.ts).
 */
export interface Withdrawal {
  /** When it takes effect; not before `published` nor `updated`. */
  at: Instant
  /** Shown to readers on the page that replaces the story; plain text. */
  reason: string
}

/** One article, as an editor writes it. */
export interface Article<Section extends string = string, Author extends string = string> {
  /** Permanent id: see {@link StoryId}. Never derived from the headline or the slug. */
  id: StoryId
  /** The last part of the article's URL, `/articles/<slug>`: lowercase letters, digits and hyphens. */
  slug: string
  headline: string
  /** One or two sentences under the headline; the feeds' summary. Plain text. */
  dek: string
  section: Section
  tags: readonly string[]
  /** Keys of content/authors.ts. Left out: the site's default author (the newsroom). */
  authors?: readonly [Author, ...Author[]]
  /** When the story first ran, with the offset in force where it was filed. */
  published: Instant
  /** The last correction or update; not before `published`. */
  updated?: Instant
  /** IANA zone of the dateline (`America/New_York`), so pages can say "7:58 PM EDT". */
  timeZone: string
  /** Markdown (CommonMark). Raw HTML is shown as text, never passed through. */
  body: string
  image?: LeadImage
  /** Withdrawal of a story that ran: see {@link Withdrawal}. */
  withdrawn?: Withdrawal
  /** A draft is checked like any article but appears nowhere. */
  draft?: boolean
  /** BCP 47 language tag; the site's language when left out. */
  language?: string
}

/** A person or desk that can be credited. */
export interface Author {
  name: string
  /** Optional profile page elsewhere (absolute URL). */
  url?: string
}

export interface Section {
  name: string
  description: string
}

/** Site-wide metadata (content/site.ts). The base URL is not here: it is config (wrangler.toml `SITE_URL`). */
export interface Site<Author extends string = string> {
  title: string
  description: string
  /** BCP 47 language tag of the publication. */
  language: string
  copyright: string
  /** Author key credited when an article names none. */
  defaultAuthor: Author
  /** The `tag:` URI authority for new ids, e.g. `herald.example.com,2024` (RFC 4151 §2.1). */
  idAuthority: string
  /** Zone for new articles' datelines. */
  timeZone: string
  /** The site's fediverse account name, `@<name>@<host>` (src/fediverse/); `news` when left out. */
  fediverseUsername?: string
}

/** Everything Herald publishes: the input to every route. */
export interface Content {
  site: Site
  authors: Readonly<Record<string, Author>>
  sections: Readonly<Record<string, Section>>
  articles: readonly Article[]
}
