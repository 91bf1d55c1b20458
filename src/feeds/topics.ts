/**
 * @module
 * Feed URLs as identities: which listing and format a canonical feed URL names (WebSub topics,
 * hub.topic validation), and the memo key of a rendered feed page.
 */
import type { Archive, Listing } from '../archive/archive'
import { formatOfFile, LISTING_KINDS, parseListingPath, type Format } from '../site-map'
import { pageQuery, type PageRequest } from './paging'

export { formatOfFile }

/** The listing and format of one of this site's canonical feed URLs (first page, no query). */
export function resolveFeedUrl(archive: Archive, raw: string): { listing: Listing; format: Format } | undefined {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return undefined
  }
  if (url.origin !== archive.origin || url.search || url.hash) return undefined
  const address = parseListingPath(url.pathname)
  const format = address?.file === undefined ? undefined : formatOfFile(address.file)
  if (!address || !format) return undefined
  if (address.kind === 'home') return { listing: archive.home, format }
  const listing = archive[LISTING_KINDS[address.kind].segment].get(address.slug)
  return listing && { listing, format }
}

/** Everything the bytes of a feed page depend on, as a memo and cache key. */
export function feedKey(variant: 'feed' | 'preview', format: Format, listing: Listing, request: PageRequest, epoch: string): string {
  return `${variant} ${format} ${listing.key} ${pageQuery(request)} ${epoch}`
}
