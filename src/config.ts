/**
 * @module
 * Configuration from wrangler.toml `[vars]`, checked once per isolate. A bad value is a deploy
 * mistake, so it fails loudly with the variable's name rather than serving wrong links.
 */

export interface Config {
  /** The site's origin, no trailing slash: every absolute URL in feeds and pages starts with it. */
  origin: string
  /** How many stories a feed page carries. */
  feedSize: number
  /** Cache-Control of feeds and of HTML pages. */
  feedCacheControl: string
  pageCacheControl: string
}

/** The vars Herald reads; tests may pass other values than wrangler.toml's literals. */
export interface ConfigVars {
  SITE_URL?: string
  FEED_SIZE?: string
  FEED_CACHE_CONTROL?: string
  PAGE_CACHE_CONTROL?: string
}

export const DEFAULT_FEED_SIZE = 50
export const DEFAULT_FEED_CACHE_CONTROL = 'public, max-age=300, stale-while-revalidate=86400'
export const DEFAULT_PAGE_CACHE_CONTROL = 'public, max-age=60, stale-while-revalidate=3600'

export function readConfig(env: ConfigVars): Config {
  let url: URL
  try {
    url = new URL(env.SITE_URL ?? '')
  } catch {
    throw new Error(`wrangler.toml: vars.SITE_URL: expected an absolute URL, got "${env.SITE_URL ?? ''}"`)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search || url.hash) {
    throw new Error(`wrangler.toml: vars.SITE_URL: expected an http(s) origin such as https://news.example.com, got "${env.SITE_URL}"`)
  }
  const feedSize = env.FEED_SIZE === undefined ? DEFAULT_FEED_SIZE : Number(env.FEED_SIZE)
  if (!Number.isInteger(feedSize) || feedSize < 1 || feedSize > 1000) {
    throw new Error(`wrangler.toml: vars.FEED_SIZE: expected a whole number from 1 to 1000, got "${env.FEED_SIZE}"`)
  }
  return {
    origin: url.origin,
    feedSize,
    feedCacheControl: env.FEED_CACHE_CONTROL || DEFAULT_FEED_CACHE_CONTROL,
    pageCacheControl: env.PAGE_CACHE_CONTROL || DEFAULT_PAGE_CACHE_CONTROL,
  }
}
