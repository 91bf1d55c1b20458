/**
 * @module
 * A topic's current content, as subscribers receive it: the same bytes, media type and ETag as a
 * GET of the feed URL (from the same per-isolate memo).
 */
import { isListed, pageOf } from '../feeds/paging'
import { feedRepresentation } from '../feeds/render'
import { feedKey, resolveFeedUrl } from '../feeds/topics'
import type { Herald } from '../herald'
import type { Representation } from '../http/representation'

export async function topicContent(herald: Herald, topic: string, now: number): Promise<Representation | undefined> {
  const resolved = resolveFeedUrl(herald.collection, topic)
  if (!resolved) return undefined
  const { listing, format } = resolved
  const page = pageOf(listing, { kind: 'first' }, herald.config.feedSize, now)
  if (!isListed(listing, page)) return undefined
  const { representation } = await herald.memo.get(feedKey('feed', format, listing, page), () =>
    feedRepresentation(herald.collection, listing, page, format),
  )
  return representation
}
