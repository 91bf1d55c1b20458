/**
 * @module
 * Build-time rendering of the feeds readers poll — the first page of every listing's feed (home,
 * sections, tags, authors) in RSS, Atom and JSON Feed — so that a new isolate sends them without
 * reading a story or hashing anything. A sparse tag's 50 newest stories are spread over as many
 * story blocks; reading those is build work, not a reader's wait. Rendered by the Worker's own code over the archive just compiled, so the bytes
 * and ETags are the ones an isolate would make; valid for one origin and feed size, and only until
 * a scheduled story goes live (then the Worker renders, as for every other page).
 */
import { FORMATS, type Format } from '../feeds/build'
import { pageOf } from '../feeds/paging'
import { feedRepresentation } from '../feeds/render'
import { textOf } from '../http/representation'
import { Archive, type ReadFile } from '../archive/archive'
import { paths, prerenderedFile, type Manifest } from '../archive/format'
import type { ArchiveSink } from './compile'

export interface PrerenderOptions {
  /** `SITE_URL` of the environment being built. */
  origin: string
  /** `FEED_SIZE` of that environment. */
  feedSize: number
  /** The build instant: pages are rendered as of then. */
  builtAt: Date
  /** Listings whose feed files are already in place as they would be rendered now (an incremental build's): named, not rendered. */
  keep?: ReadonlySet<number>
  /**
   * The item files for `origin` are in place (src/build/items.ts): each page is then its first
   * story through `feed` and the other items spliced in, as a worker makes it — the same bytes
   * (src/feeds/fragments.ts), for a fiftieth of the rendering.
   */
  itemsInPlace?: boolean
}

/** Renders the prerendered feeds into `sink` and returns the manifest that names them. */
export async function prerenderFeeds(read: ReadFile, manifest: Manifest, options: PrerenderOptions, sink: ArchiveSink): Promise<Manifest> {
  const opened = options.itemsInPlace ? { ...manifest, prerendered: { origin: options.origin, feedSize: options.feedSize, listings: [], items: true } } : manifest
  const archive = await Archive.open(async (path) => (path === paths.manifest ? JSON.stringify(opened) : read(path)), options.origin)
  const now = options.builtAt.getTime()
  const listings: number[] = []
  for (const [n, meta] of manifest.listings.entries()) {
    if (options.keep?.has(n)) {
      listings.push(n)
      continue
    }
    const listing = meta.kind === 'home' ? archive.home : { section: archive.sections, tag: archive.tags, author: archive.authors }[meta.kind].get(meta.slug)!
    const page = await pageOf(listing, { kind: 'first' }, options.feedSize, now)
    for (const format of Object.keys(FORMATS) as Format[]) {
      const r = await feedRepresentation(archive, listing, page, format)
      await sink(paths.feed(n, format), prerenderedFile({ scheduled: page.scheduled, ...(page.withdrawn.length > 0 && { withdrawn: page.withdrawn.length }), etag: r.etag, lastModified: r.lastModified.toISOString() }, textOf(r)))
    }
    listings.push(n)
  }
  // With the item files in place, the manifest says so: a worker splices archive pages from them too.
  return { ...manifest, prerendered: { origin: options.origin, feedSize: options.feedSize, listings, ...(options.itemsInPlace && { items: true }) } }
}
