/**
 * @module
 * A representation ready to send — body, media type, validators — and the per-isolate memo that
 * keeps them, so a body is rendered and hashed once, not on every request.
 */

export interface Representation {
  body: string
  /** The body as UTF-8, encoded once: a 250 KB feed is not re-encoded on every request. */
  bytes: Uint8Array<ArrayBuffer>
  contentType: string
  /** Strong entity tag (RFC 9110 §8.8.3) of exactly these bytes. */
  etag: string
  /** The newest visible change (RFC 9110 §8.8.2). */
  lastModified: Date
}

/** A strong ETag: the first 144 bits of the body's SHA-256, base64url. */
export async function strongEtag(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  const b64 = btoa(String.fromCharCode(...new Uint8Array(digest).subarray(0, 18)))
  return `"${b64.replace(/\+/g, '-').replace(/\//g, '_')}"`
}

export async function represent(body: string, contentType: string, lastModified: Date): Promise<Representation> {
  const bytes = new TextEncoder().encode(body) as Uint8Array<ArrayBuffer>
  return { body, bytes, contentType, etag: await strongEtag(bytes), lastModified }
}

/**
 * Memoised representations by key, at most `limit` of them: the oldest entry goes first, so an
 * unbounded space of keys (every archive page, every scheduled-publishing epoch) cannot exhaust
 * the isolate's memory.
 */
export class RepresentationMemo {
  readonly #entries = new Map<string, Promise<Representation>>()

  constructor(private readonly limit = 2000) {}

  /** The memoised representation and whether it was already there. */
  async get(key: string, make: () => Promise<Representation>): Promise<{ representation: Representation; hit: boolean }> {
    const existing = this.#entries.get(key)
    if (existing) return { representation: await existing, hit: true }
    const made = make()
    this.#entries.set(key, made)
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value!)
    try {
      return { representation: await made, hit: false }
    } catch (err) {
      this.#entries.delete(key)
      throw err
    }
  }
}
