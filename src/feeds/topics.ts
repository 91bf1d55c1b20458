/**
 * @module
 * Feed URLs as identities: which listing and format a canonical feed URL names (WebSub topics,
 * hub.topic validation), and the memo key of a rendered feed page.
 */
import type { Archive, Listing } from '../archive/archive'
import { FORMATS, type Format } from './build'
import { pageQuery, type PageRequest } from './paging'

const FILE_FORMATS = Object.fromEntries((Object.keys(FORMATS) as Format[]).map((f) => [FORMATS[f].file, f])) as Record<string, Format>

export function formatOfFile(file: string): Format | undefined {
  return FILE_FORMATS[file]
}

/** The listing and format of one of this site's canonical feed URLs (first page, no query). */
export function resolveFeedUrl(archive: Archive, raw: string): { listing: Listing; format: Format } | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  if (url.origin !== archive.origin || url.search || url.hash) return undefined
  const m = /^(?:\/(sections|tags|authors)\/([^/]+))?\/([^/]+)$/.exec(url.pathname)
  const format = m && formatOfFile(m[3]!)
  if (!m || !format) return undefined
  if (!m[1]) return { listing: archive.home, format }
  let key: string
  try {
    key = decodeURIComponent(m[2]!)
  } catch {
    return undefined
  }
  const listing = archive[m[1] as 'sections' | 'tags' | 'authors'].get(key)
  return listing && { listing, format }
}

/** Everything the bytes of a feed page depend on, as a memo and cache key. */
export function feedKey(variant: 'feed' | 'preview', format: Format, listing: Listing, request: PageRequest, scheduled: number): string {
  return `${variant} ${format} ${listing.key} ${pageQuery(request)} ${scheduled}`
}
