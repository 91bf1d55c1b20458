/**
 * @module
 * What a request needs, built once per isolate and configuration: the resolved collection and its
 * rendered-feed cache. Building it sorts and indexes the content; requests only look things up.
 */
import type { Content } from './content/article'
import { Collection } from './content/collection'
import { readConfig, type Config } from './config'
import { FeedCache } from './feeds/render'

export interface Herald {
  config: Config
  collection: Collection
  feeds: FeedCache
}

/** Returns a function that gives the Herald for an env, building it on first use. */
export function heraldFor(content: Content): (env: { SITE_URL?: string; FEED_SIZE?: string }) => Herald {
  const built = new Map<string, Herald>()
  return (env) => {
    const key = `${env.SITE_URL} ${env.FEED_SIZE}`
    let herald = built.get(key)
    if (!herald) {
      const config = readConfig(env)
      const collection = new Collection(content, config.origin)
      herald = { config, collection, feeds: new FeedCache(collection, config.feedSize) }
      built.set(key, herald)
    }
    return herald
  }
}
