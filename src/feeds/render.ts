/**
 * @module
 * A page of a listing's feed, in one format, as a representation ready to send.
 */
import type { Archive, Listing } from '../archive/archive'
import { represent, type Representation } from '../http/representation'
import { buildFeed, FORMATS, lastModifiedOf, type Format } from './build'
import { renderJsonFeed } from './json-feed'
import type { Page } from './paging'
import { renderAtom, renderRss } from './xml'

export function renderFeed(archive: Archive, listing: Listing, page: Page, format: Format): string {
  const feed = buildFeed(archive, listing, page, format)
  switch (format) {
    case 'rss':
      return renderRss(feed)
    case 'atom':
      return renderAtom(feed)
    case 'json':
      return renderJsonFeed(feed)
  }
}

/** The build's rendering of a listing's first feed page, when it still holds (src/build/prerender.ts). */
export async function prerenderedFeed(archive: Archive, listing: Listing, format: Format, feedSize: number, now: number): Promise<Representation | undefined> {
  const made = await archive.prerendered(listing, format, feedSize, now)
  if (!made) return undefined
  const bytes = new TextEncoder().encode(made.body) as Uint8Array<ArrayBuffer>
  return { body: made.body, bytes, contentType: FORMATS[format].contentType, etag: made.etag, lastModified: new Date(made.lastModified) }
}

export function feedRepresentation(archive: Archive, listing: Listing, page: Page, format: Format): Promise<Representation> {
  const body = renderFeed(archive, listing, page, format)
  return represent(body, FORMATS[format].contentType, lastModifiedOf(listing, page))
}
