/**
 * @module
 * A topic's current content, as subscribers receive it: the same bytes, media type and ETag as a
 * GET of the feed URL (made by the same pipeline, src/http/pipeline.ts).
 */
import { feedRecipe } from '../feeds/render'
import { resolveFeedUrl } from '../feeds/topics'
import type { Herald } from '../herald'
import { represented } from '../http/pipeline'
import type { Representation } from '../http/representation'

export async function topicContent(herald: Herald, topic: string, now: number): Promise<Representation | undefined> {
  const resolved = resolveFeedUrl(herald.archive, topic)
  if (!resolved) return undefined
  const { listing, format } = resolved
  if (!listing.isListed(now)) return undefined
  return (await represented(herald, feedRecipe(herald, listing, format, { kind: 'first' }, now), undefined)).representation
}
