/**
 * @module
 * A topic's current content, as subscribers receive it: the same bytes, media type and ETag as a
 * GET of the feed URL (from the same per-isolate memo).
 */
import { pageOf } from '../feeds/paging'
import { feedRepresentation, prerenderedFeed } from '../feeds/render'
import { feedKey, resolveFeedUrl } from '../feeds/topics'
import type { Herald } from '../herald'
import type { Representation } from '../http/representation'

export async function topicContent(herald: Herald, topic: string, now: number): Promise<Representation | undefined> {
  const resolved = resolveFeedUrl(herald.archive, topic)
  if (!resolved) return undefined
  const { listing, format } = resolved
  if (!listing.isListed(now)) return undefined
  const first = { kind: 'first' } as const
  const { feedSize } = herald.config
  const { representation } = await herald.memo.get(
    feedKey('feed', format, listing, first, listing.scheduledCount(now)),
    async () =>
      (await prerenderedFeed(herald.archive, listing, format, feedSize, now)) ??
      feedRepresentation(herald.archive, listing, await pageOf(listing, first, feedSize, now), format),
  )
  return representation
}
