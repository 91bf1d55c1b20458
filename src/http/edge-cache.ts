/**
 * @module
 * The Workers Cache API in front of rendering, for isolates that have not rendered a feed yet.
 * Keys carry the deploy's version id (the CF_VERSION_METADATA binding), a fingerprint of the
 * content and the visibility epoch, so a new deploy, a content edit or a scheduled story going live
 * never meets an old entry: no stale body under a new ETag, no new body under an old one.
 */
import type { Representation } from './representation'

/** Internal cache-key host: keys are never fetched, and are distinct from every real URL. */
const KEY_ORIGIN = 'https://edge-cache.herald.invalid'

/** Where a body came from: this isolate's memo, the edge cache, the build (prerendered), or rendering now. */
export type CacheSource = 'memory' | 'edge' | 'prebuilt' | 'render'

function edgeCache(): Cache | undefined {
  return typeof caches === 'undefined' ? undefined : (caches as unknown as { default: Cache }).default
}

/** The representation under `key` from the edge cache, or from `make`, stored for the next isolate. */
export async function throughEdgeCache(
  version: string,
  key: string,
  waitUntil: ((p: Promise<unknown>) => void) | undefined,
  make: () => Promise<Representation>,
): Promise<{ representation: Representation; source: CacheSource }> {
  const cache = edgeCache()
  if (!cache) return { representation: await make(), source: 'render' }
  const request = new Request(`${KEY_ORIGIN}/${encodeURIComponent(version)}/${encodeURIComponent(key)}`)
  // The cache is an optimisation: when it fails, render.
  const hit = await cache.match(request).catch((err: unknown) => {
    console.error('herald: edge cache match failed', err)
    return undefined
  })
  if (hit) {
    const bytes = new Uint8Array(await hit.arrayBuffer())
    return {
      source: 'edge',
      representation: {
        bytes,
        contentType: hit.headers.get('content-type')!,
        etag: hit.headers.get('etag')!,
        lastModified: new Date(hit.headers.get('last-modified')!),
      },
    }
  }
  const representation = await make()
  const stored = new Response(representation.bytes, {
    headers: {
      'Content-Type': representation.contentType,
      ETag: representation.etag,
      'Last-Modified': representation.lastModified.toUTCString(),
      // The key names the deploy and the epoch, so the entry can live as long as the edge keeps it.
      'Cache-Control': 'public, max-age=31536000, immutable',
    },
  })
  const put = cache.put(request, stored).catch((err: unknown) => console.error('herald: edge cache put failed', err))
  if (waitUntil) waitUntil(put)
  else await put
  return { representation, source: 'render' }
}
