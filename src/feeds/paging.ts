/**
 * @module
 * Paged feeds (RFC 5005 §3). The first page is the feed itself: the newest stories. Older pages are
 * anchored on a story, not on an offset: `?before=<anchor>` is the N stories older than that story,
 * `?after=<anchor>` the N newer. A new story at the top shifts offsets but never changes what
 * `?before=X` contains, so archive pages stay cacheable; following `next` from the first page
 * reaches every story exactly once.
 */
import type { Listing } from '../archive/archive'
import { placeOf, visibleAt, withdrawnAt, type ListingWithdrawal } from '../archive/withdrawals'
import type { Story } from '../content/story'
import { refusal } from '../http/errors'

/** Which page of a listing: the first (newest), or the N stories before/after an anchor story. */
export type PageRequest = { kind: 'first' } | { kind: 'before' | 'after'; anchor: string }

/** A query string that asks for a page, `''` for the first. */
export function pageQuery(request: PageRequest): string {
  return request.kind === 'first' ? '' : `?${request.kind}=${request.anchor}`
}

export interface Page {
  request: PageRequest
  stories: readonly Story[]
  /** RFC 5005 §3 link relations, each a query on the listing's feed URL. */
  links: { first: PageRequest; last: PageRequest; next?: PageRequest; previous?: PageRequest }
  /** Stories of the listing not yet published: part of the cache key, since it changes the page. */
  scheduled: number
  /** The listing's withdrawals in effect: left out of every page, and part of the cache key too. */
  withdrawn: readonly ListingWithdrawal[]
}

const PAGE_PARAMETERS = ['before', 'after'] as const
const ANCHOR = /^[0-9a-z]{14}$/

/**
 * Reads the paging parameters of a feed URL. A feed URL is canonical: anything else in the query
 * is refused rather than ignored, so a client never silently gets a different feed than it asked for.
 */
export function parsePageRequest(search: URLSearchParams): PageRequest {
  const names = [...new Set(search.keys())]
  for (const name of names) {
    if (name === 'page' || name === 'offset') {
      throw refusal(400, `"${name}" is not a paging parameter here: follow the feed's rel="next" link (?before=<story>)`)
    }
    if (!(PAGE_PARAMETERS as readonly string[]).includes(name)) {
      throw refusal(400, `unknown query parameter "${name}": a feed URL takes only ?before= or ?after=`)
    }
  }
  if (names.length > 1) throw refusal(400, 'give ?before= or ?after=, not both')
  const name = names[0] as (typeof PAGE_PARAMETERS)[number] | undefined
  if (!name) return { kind: 'first' }
  const values = search.getAll(name)
  if (values.length > 1) throw refusal(400, `"${name}" is given ${values.length} times; give it once`)
  const anchor = values[0]!
  if (!ANCHOR.test(anchor)) throw refusal(400, `"${name}" must be a story anchor from a rel="next" or rel="previous" link`)
  return { kind: name, anchor }
}

/**
 * The page of `listing` that `request` names at instant `now`, `size` stories at most. Positions
 * are those of the stories readers see (src/archive/withdrawals.ts): withdrawn ones are not there.
 */
export async function pageOf(raw: Listing, request: PageRequest, size: number, now: number): Promise<Page> {
  const listing = visibleAt(raw, now)
  const count = listing.count
  const k = listing.scheduledCount(now)
  let start: number
  let end: number
  if (request.kind === 'first') {
    start = k
    end = Math.min(count, k + size)
  } else {
    const at = await placeOf(raw, now, request.anchor)
    if (at === undefined || at.newer < k) throw refusal(404, `no story "${request.anchor}" in this feed`)
    if (request.kind === 'before') {
      start = at.older
      end = Math.min(count, start + size)
    } else {
      end = at.newer
      start = Math.max(k, end - size)
    }
  }
  const stories = await listing.slice(start, end)
  const lastStart = Math.max(k, count - size)
  const last: PageRequest = lastStart === k ? { kind: 'first' } : { kind: 'before', anchor: await listing.anchorAt(lastStart - 1) }
  return {
    request,
    stories,
    scheduled: k,
    withdrawn: withdrawnAt(raw, now),
    links: {
      first: { kind: 'first' },
      last,
      ...(end < count && stories.length > 0 && { next: { kind: 'before', anchor: stories.at(-1)!.anchor } }),
      ...(start > k && { previous: stories.length > 0 ? { kind: 'after', anchor: stories[0]!.anchor } : { kind: 'first' } }),
    },
  }
}
