/**
 * The keys under which the build keeps an archive file from one build to the next: equal keys,
 * equal files. One definition each, for the layout (build.ts) and the revision (revise.ts) alike.
 */
import type { ListingMeta, Manifest } from '../../../src/archive/format'
import { sourceHash } from './code-hash'

/** The origin and feed size feeds and items are made for (build.ts `prerenderTarget`). */
export interface PrerenderTarget {
  origin: string
  feedSize: number
}

/** A story block: its stories' content hashes, oldest first. */
export function blockKey(hashes: readonly string[]): string {
  return sourceHash(hashes.join(' '))
}

/**
 * A sparse listing's chunk (`chunks/<n>-<k>.txt`): its stories' content hashes, oldest first. It
 * holds their records only, as a block does, so nothing else shapes it; the path names the listing.
 */
export function chunkKey(hashes: readonly string[]): string {
  return sourceHash(`chunk ${hashes.join(' ')}`)
}

/** What names a story in the manifest: every listing's kind, slug, name, description and homepage. */
export function listingNames(manifest: Pick<Manifest, 'listings'>): string {
  return JSON.stringify(manifest.listings.map((l) => [l.kind, l.slug, l.name, l.description, l.homepage ?? '']))
}

/**
 * A file made beside block `block` (`pages/<n>.txt`, `items/<n>.txt`): its kind, the block's
 * stories, and what names them — the site and every listing (`listingNames`) — and the origin.
 */
export function blockFileKey(path: string, block: string, site: Manifest['site'], names: string, origin: string): string {
  return sourceHash(JSON.stringify([path.split('/')[0], block, site, names, origin]))
}

/**
 * A listing's prerendered first feed page: its summary, the site, the target, how many stories
 * are still scheduled at build time, and the stories it can show (`shown`: past the withdrawn
 * ones, and one more, whether a next page exists).
 */
export function feedKey(meta: ListingMeta, site: Manifest['site'], target: PrerenderTarget, scheduled: number, shown: readonly string[]): string {
  return sourceHash(JSON.stringify([meta, site, target, scheduled, shown]))
}

/** How many of a listing's newest stories its prerendered feeds can show (see `feedKey`). */
export function shownCount(meta: ListingMeta, feedSize: number): number {
  return feedSize + meta.head.length + (meta.withdrawn?.length ?? 0) + 1
}
