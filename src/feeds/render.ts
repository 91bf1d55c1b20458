/**
 * @module
 * A listing's feed in one format, ready to send: body, media type and a strong ETag for those
 * exact bytes. Rendered and hashed once per isolate (per collection), never per request.
 */
import type { Collection, Listing } from '../content/collection'
import { buildFeed, FORMATS, type Format } from './build'
import { renderJsonFeed } from './json-feed'
import { renderAtom, renderRss } from './xml'

export interface RenderedFeed {
  body: string
  contentType: string
  /** Strong validator (RFC 9110 §8.8.3): a hash of the body. */
  etag: string
  /** The newest story's update, for Last-Modified. */
  lastModified: Date
}

export async function strongEtag(body: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body))
  const b64 = btoa(String.fromCharCode(...new Uint8Array(digest).subarray(0, 18)))
  return `"${b64.replace(/\+/g, '-').replace(/\//g, '_')}"`
}

export function renderFeed(collection: Collection, listing: Listing, format: Format, size: number): string {
  const feed = buildFeed(collection, listing, size)
  switch (format) {
    case 'rss':
      return renderRss(feed)
    case 'atom':
      return renderAtom(feed)
    case 'json':
      return renderJsonFeed(feed)
  }
}

/** Memoises rendered feeds for one collection. */
export class FeedCache {
  readonly #entries = new Map<string, Promise<RenderedFeed>>()

  constructor(
    private readonly collection: Collection,
    private readonly size: number,
  ) {}

  get(listing: Listing, format: Format): Promise<RenderedFeed> {
    const key = `${format} ${listing.key}`
    let entry = this.#entries.get(key)
    if (!entry) {
      entry = this.#render(listing, format)
      this.#entries.set(key, entry)
    }
    return entry
  }

  async #render(listing: Listing, format: Format): Promise<RenderedFeed> {
    const body = renderFeed(this.collection, listing, format, this.size)
    const newest = listing.stories.slice(0, this.size).reduce<Date | undefined>(
      (max, s) => (!max || s.updated > max ? s.updated : max),
      undefined,
    )
    return {
      body,
      contentType: FORMATS[format].contentType,
      etag: await strongEtag(body),
      lastModified: newest ?? new Date(0),
    }
  }
}
