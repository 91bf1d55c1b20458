/**
 * @module
 * Whether a request asks for ActivityStreams rather than HTML. Statically imported by the app:
 * everything else under src/fediverse/ is loaded by `import()` only on the routes that need it.
 */

/** `application/activity+json`, or `application/ld+json` with the ActivityStreams profile (ActivityPub §3.2). */
export function wantsActivity(accept: string | undefined): boolean {
  if (!accept) return false
  return accept.split(',').some((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim())
    if (params.some((p) => /^q=0(\.0*)?$/.test(p))) return false
    return type === 'application/activity+json' || (type === 'application/ld+json' && params.some((p) => p.includes('https://www.w3.org/ns/activitystreams')))
  })
}
