/**
 * @module
 * Withdrawn stories, as the worker applies them: from a withdrawal's instant on, without a redeploy,
 * the story is left out of every listing — feeds, pages, indexes, OPML, outboxes — and every key
 * that names what a listing shows (memo, edge cache, prerendered feeds) changes with the number of
 * withdrawals in effect, as it does with the number of stories still scheduled.
 *
 * The archive keeps withdrawn stories where they were (src/build/withdrawals.ts); the manifest
 * lists each listing's positions of them, so none of this reads a file. A listing with no
 * withdrawal in effect is served exactly as before: `visibleAt` gives the listing itself.
 */
import type { StoryId } from '../content/article'
import type { Story } from '../content/story'
import type { Listing } from './archive'
import { ArchiveError } from './errors'
import type { ListingMeta, Manifest } from './format'

/** One of a listing's withdrawn stories: where it sits in the listing, its id, instant (ms) and reason. */
export interface ListingWithdrawal {
  position: number
  id: StoryId
  at: number
  reason: string
}

const NONE: readonly ListingWithdrawal[] = Object.freeze([])

/** A listing's withdrawals, resolved against the manifest's list when the archive is opened. */
export function listingWithdrawals(meta: ListingMeta, manifest: Manifest): readonly ListingWithdrawal[] {
  if (!meta.withdrawn?.length) return NONE
  return meta.withdrawn.map(([position, i]) => {
    const w = manifest.withdrawals?.[i]
    if (!w) throw new ArchiveError(`archive manifest names withdrawal ${i}, which it does not list: run \`npm run build\``)
    return { position, id: w.id, at: w.at, reason: w.reason }
  })
}

/** The listing's withdrawals in effect at `now`, by position. */
export function withdrawnAt(listing: Listing, now: number): readonly ListingWithdrawal[] {
  const all = listing.withdrawals
  return all.length === 0 ? NONE : all.filter((w) => w.at <= now)
}

export function withdrawnCount(listing: Listing, now: number): number {
  let n = 0
  for (const w of listing.withdrawals) if (w.at <= now) n++
  return n
}

/** Whether a story is withdrawn at `now`: its page is a notice, its ActivityStreams object a Tombstone. */
export function isWithdrawn(story: Story, now: number): boolean {
  return story.withdrawn !== undefined && story.withdrawn.at.getTime() <= now
}

/**
 * What keys must name about the clock for a listing at `now`: how many of its stories are still
 * scheduled and how many are withdrawn. Both only grow or shrink one way as time passes, so the
 * pair names the set; with nothing withdrawn it is the scheduled count alone, as before.
 */
export function epochOf(listing: Listing, now: number): string {
  const k = listing.scheduledCount(now)
  const n = withdrawnCount(listing, now)
  return n ? `${k}-w${n}` : `${k}`
}

/** The newest instant of the withdrawals in effect, if any: when the listing last lost a story. */
export function latestWithdrawal(withdrawn: readonly ListingWithdrawal[]): Date | undefined {
  let at: number | undefined
  for (const w of withdrawn) if (at === undefined || w.at > at) at = w.at
  return at === undefined ? undefined : new Date(at)
}

/** The newest published change of a listing at `now`: an update, or a withdrawal taking effect. */
export function newestChangeAt(listing: Listing, now: number): Date | undefined {
  const updated = listing.newestUpdateFrom(listing.scheduledCount(now))
  const withdrawn = latestWithdrawal(withdrawnAt(listing, now))
  return withdrawn && (!updated || withdrawn > updated) ? withdrawn : updated
}

/** Whether a listing is listed (indexes, OPML) at `now`: a tag or author whose stories are all withdrawn is not. */
export function isListedAt(listing: Listing, now: number): boolean {
  if (!listing.isListed(now)) return false
  if (listing.kind === 'home' || listing.kind === 'section') return true
  const gone = withdrawnCount(listing, now)
  return gone === 0 || listing.count - listing.scheduledCount(now) - gone > 0
}

/**
 * The listing as it stands at `now`: the same stories in the same order without the withdrawn
 * ones, so positions, counts and slices are those of what readers see, and paging arithmetic
 * (src/feeds/paging.ts) needs no change. The listing itself when no withdrawal is in effect.
 */
export function visibleAt(listing: Listing, now: number): Listing {
  const gone = withdrawnAt(listing, now)
  if (gone.length === 0) return listing
  const positions = gone.map((w) => w.position)
  const latest = latestWithdrawal(gone)!
  /** Raw position of visible position `p`. */
  const toRaw = (p: number) => {
    let raw = p
    for (const w of positions) {
      if (w > raw) break
      raw++
    }
    return raw
  }
  return {
    ...listing,
    count: listing.count - gone.length,
    newestUpdateFrom: (k) => {
      const t = listing.newestUpdateFrom(k)
      return !t || latest > t ? latest : t
    },
    isListed: (at) => isListedAt(listing, at),
    positionOf: async (anchor) => {
      const raw = await listing.positionOf(anchor)
      if (raw === undefined || positions.includes(raw)) return undefined
      return raw - positions.filter((w) => w < raw).length
    },
    // Reads only the visible stories' blocks: the raw positions in runs between withdrawn ones.
    slice: async (start, end) => {
      const runs: [number, number][] = []
      let raw = toRaw(start)
      let left = end - start
      let j = positions.findIndex((w) => w >= raw)
      if (j < 0) j = positions.length
      while (left > 0 && raw < listing.count) {
        const stop = j < positions.length ? positions[j]! : listing.count
        const take = Math.min(left, stop - raw)
        if (take > 0) runs.push([raw, raw + take])
        left -= take
        raw = stop + 1
        j++
      }
      return (await Promise.all(runs.map(([a, b]) => listing.slice(a, b)))).flat()
    },
    anchorAt: (position) => listing.anchorAt(toRaw(position)),
    // Left out of this view: a caller that needs them asks the listing itself.
    withdrawals: NONE,
  }
}

/**
 * Where a paging anchor sits among what readers see at `now`: the position where the stories older
 * than it start, and where the newer ones end. A withdrawn story's anchor still names its place,
 * between its neighbours, so a `?before=` link a reader took from an earlier page keeps working.
 */
export async function placeOf(listing: Listing, now: number, anchor: string): Promise<{ older: number; newer: number } | undefined> {
  const raw = await listing.positionOf(anchor)
  if (raw === undefined) return undefined
  let before = 0
  let hit = false
  for (const w of withdrawnAt(listing, now)) {
    if (w.position > raw) break
    if (w.position === raw) hit = true
    else before++
  }
  const v = raw - before
  return hit ? { older: v, newer: v } : { older: v + 1, newer: v }
}
