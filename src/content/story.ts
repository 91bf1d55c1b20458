/**
 * @module
 * A story as feeds and pages show it, and the handles derived from it. Shared by the build
 * (src/build/collection.ts) and the Worker (src/archive/archive.ts); nothing here renders
 * Markdown, so the Worker's bundle carries no Markdown renderer.
 */
import type { LeadImage, StoryId } from './article'

export interface Link {
  /** Path on this site, e.g. `/sections/news`. */
  path: string
  /** The same, absolute. */
  url: string
}

export interface SectionRef extends Link {
  key: string
  name: string
  description: string
}

export interface TagRef extends Link {
  name: string
  slug: string
}

export interface AuthorRef extends Link {
  key: string
  name: string
  /** The author's own page elsewhere, if any. */
  homepage?: string
}

/** An article ready to show: every string clean, every reference resolved, every URL absolute. */
export interface Story extends Link {
  id: StoryId
  /** Short, permanent handle for paging URLs (`?before=<anchor>`), derived from the id. */
  anchor: string
  slug: string
  headline: string
  dek: string
  section: SectionRef
  tags: readonly TagRef[]
  authors: readonly AuthorRef[]
  published: Date
  /** `updated`, or `published` when the story was never updated. */
  updated: Date
  timeZone: string
  language: string
  image?: LeadImage
  /** The item HTML that feeds and pages show: lead figure and body. */
  readonly html: string
  /** Set when the story is withdrawn, from `at` on (src/archive/withdrawals.ts). */
  withdrawn?: StoryWithdrawal
  /** The page's datelines, formatted by the build (src/pages/dateline.ts): a request need not load time zones. */
  datelines?: Datelines
}

/** A withdrawal as stories carry it: the instant, the public reason, and the instant as a dateline (formatted by the build). */
export interface StoryWithdrawal {
  at: Date
  reason: string
  dateline?: string
}

/** "7:58 PM EDT, March 28, 2024" for the published and updated instants, and the date alone, in the story's zone. */
export interface Datelines {
  published: string
  updated: string
  date: string
}

/**
 * A story's paging anchor: 64 bits of FNV-1a over its id, in base 36. Derived from the id, so it
 * never changes when a slug or headline does; `npm run check` refuses two stories with one anchor.
 */
export function anchorOf(id: string): string {
  let h1 = 0x811c9dc5
  let h2 = 0x01000193 ^ 0x5bd1e995
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i)
    h1 = Math.imul(h1 ^ c, 0x01000193)
    h2 = Math.imul(h2 ^ c, 0x01000193) ^ (h1 >>> 15)
  }
  return (h1 >>> 0).toString(36).padStart(7, '0') + (h2 >>> 0).toString(36).padStart(7, '0')
}

/** The tag's URL segment (the rule is the site map's). */
export { tagSlug } from '../site-map'
