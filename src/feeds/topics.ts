/**
 * @module
 * Feed URLs as identities: which listing and format a canonical feed URL names (WebSub topics,
 * hub.topic validation), and the memo key of a rendered feed page.
 */
import type { Collection, Listing } from '../content/collection'
import { FORMATS, type Format } from './build'
import { pageQuery, type Page } from './paging'

const FILE_FORMATS = Object.fromEntries((Object.keys(FORMATS) as Format[]).map((f) => [FORMATS[f].file, f])) as Record<string, Format>

export function formatOfFile(file: string): Format | undefined {
  return FILE_FORMATS[file]
}

/** The listing and format of one of this site's canonical feed URLs (first page, no query). */
export function resolveFeedUrl(collection: Collection, raw: string): { listing: Listing; format: Format } | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  if (url.origin !== collection.origin || url.search || url.hash) return undefined
  const m = /^(?:\/(sections|tags|authors)\/([^/]+))?\/([^/]+)$/.exec(url.pathname)
  const format = m && formatOfFile(m[3]!)
  if (!m || !format) return undefined
  if (!m[1]) return { listing: collection.home, format }
  let key: string
  try {
    key = decodeURIComponent(m[2]!)
  } catch {
    return undefined
  }
  const listing = collection[m[1] as 'sections' | 'tags' | 'authors'].get(key)
  return listing && { listing, format }
}

/** Everything the bytes of a feed page depend on, as a memo and cache key. */
export function feedKey(variant: 'feed' | 'preview', format: Format, listing: Listing, page: Page): string {
  return `${variant} ${format} ${listing.key} ${pageQuery(page.request)} ${page.scheduled}`
}
