/**
 * @module
 * What a request needs, built once per isolate and configuration: the resolved collection and the
 * memo of rendered representations. Building it sorts and indexes the content; requests only look
 * things up.
 */
import type { Content } from './content/article'
import { Collection } from './content/collection'
import { readConfig, type Config, type ConfigVars } from './config'
import { RepresentationMemo } from './http/representation'

export interface Herald {
  config: Config
  collection: Collection
  /** Rendered feeds, previews, pages and OPML, by key. */
  memo: RepresentationMemo
  /**
   * SHA-256 of the content, computed once per isolate on first use: part of every edge-cache key,
   * so a content edit under `wrangler dev` (same version id) never meets an entry of the old content.
   */
  fingerprint: () => Promise<string>
}

function fingerprintOf(content: Content): () => Promise<string> {
  let hash: Promise<string> | undefined
  return () =>
    (hash ??= crypto.subtle
      .digest('SHA-256', new TextEncoder().encode(JSON.stringify(content)))
      .then((d) => [...new Uint8Array(d).subarray(0, 12)].map((b) => b.toString(16).padStart(2, '0')).join('')))
}

/** Gives the Herald for an env, building it on first use. */
export type HeraldSource = (env: ConfigVars) => Herald

/** Returns a function that gives the Herald for an env, building it on first use. */
export function heraldFor(content: Content): HeraldSource {
  const built = new Map<string, Herald>()
  // The env object is the same for every request of an isolate: look it up by identity first.
  const byEnv = new WeakMap<object, Herald>()
  const fingerprint = fingerprintOf(content)
  return (env) => {
    const known = byEnv.get(env)
    if (known) return known
    const key = JSON.stringify([env.SITE_URL, env.FEED_SIZE, env.FEED_CACHE_CONTROL, env.PAGE_CACHE_CONTROL])
    let herald = built.get(key)
    if (!herald) {
      const config = readConfig(env)
      herald = { config, collection: new Collection(content, config.origin), memo: new RepresentationMemo(), fingerprint }
      built.set(key, herald)
    }
    byEnv.set(env, herald)
    return herald
  }
}
