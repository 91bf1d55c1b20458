/**
 * @module
 * The one way a representation is made, for every route and for the hub's publish and deliver:
 * the memo (within its byte budget), then the build's prerendered file, then the Workers Cache API
 * (for what takes many story reads to render), then rendering. A recipe names the key and how to render; this owns the rest.
 */
import type { Herald } from '../herald'
import { throughEdgeCache, type CacheSource } from './edge-cache'
import type { Representation } from './representation'

export interface Recipe {
  /** Everything the bytes depend on (listing, format, page, epoch, variant): memo and cache key. */
  key: string
  /**
   * Whether to keep it in the memo's hot part (first pages, indexes, recent articles) or the tail
   * (archive pages, old articles). A function is asked after rendering (an article knows then).
   */
  hot: boolean | (() => boolean)
  /** The build's rendering, when it still holds: no story read, no hash. */
  prebuilt?: () => Promise<Representation | undefined>
  /** Renders it; may throw to refuse (not remembered). */
  render: () => Promise<Representation>
  /**
   * Whether a new isolate asks the Workers Cache API before rendering (default: yes). No for what
   * renders from one story or the manifest alone (articles, indexes, OPML): the lookup would cost
   * as much as the rendering.
   */
  edge?: boolean
}

/** Where `ExecutionContext.waitUntil` is, when there is one (a request; not a test's app.request()). */
export type WaitUntil = ((p: Promise<unknown>) => void) | undefined

export async function represented(herald: Herald, recipe: Recipe, waitUntil: WaitUntil): Promise<{ representation: Representation; source: CacheSource }> {
  let source: CacheSource = 'memory'
  const { representation } = await herald.memo.get(recipe.key, async () => {
    const made = await make()
    return { ...made, representation: modifiedNoEarlierThan(made.representation, herald.archive.builtAt) }
  })
  return { representation, source }

  async function make(): Promise<{ representation: Representation; hot: boolean }> {
    const hot = () => (typeof recipe.hot === 'function' ? recipe.hot() : recipe.hot)
    const prebuilt = recipe.prebuilt && (await recipe.prebuilt())
    if (prebuilt) {
      source = 'prebuilt'
      return { representation: prebuilt, hot: hot() }
    }
    if (recipe.edge === false) {
      source = 'render'
      return { representation: await recipe.render(), hot: hot() }
    }
    const { config } = herald
    const made = await throughEdgeCache(herald.version, `${config.origin} ${config.feedSize} ${recipe.key}`, waitUntil, recipe.render)
    source = made.source
    return { representation: made.representation, hot: hot() }
  }
}

/**
 * A representation's Last-Modified, never earlier than the build it came from. The content's own
 * instant (the newest story or withdrawal a page shows) says nothing of a deploy that changed the
 * bytes without a newer story: a withdrawal taken back (the date moved back in time), a new site
 * title, another FEED_SIZE, a template. A reader polling with If-Modified-Since alone then got 304
 * for a feed that had changed (RFC 9110 §13.1.3). A date later than the change is only ever safe:
 * such a reader fetches a feed once more after a deploy that left it as it was; a reader sending
 * If-None-Match (the strong ETag decides) does not.
 */
function modifiedNoEarlierThan(representation: Representation, deployed: Date): Representation {
  return representation.lastModified >= deployed ? representation : { ...representation, lastModified: deployed }
}
