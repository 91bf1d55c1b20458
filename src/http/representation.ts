/**
 * @module
 * A representation ready to send — bytes, media type, validators — and the per-isolate memo that
 * keeps them within a byte budget, so a body is rendered and hashed once, not on every request,
 * and memory cannot grow with the archive.
 */
import { ByteLru, type LruStats } from './budget'

export interface Representation {
  /** The body as sent, UTF-8: the only copy kept (a 250 KB feed is neither re-encoded nor held twice). */
  bytes: Uint8Array<ArrayBuffer>
  contentType: string
  /** Strong entity tag (RFC 9110 §8.8.3) of exactly these bytes. */
  etag: string
  /** The newest visible change (RFC 9110 §8.8.2). */
  lastModified: Date
  /** Sent with this status instead of 200: a withdrawn article's notice is `410 Gone`. */
  status?: 410
}

/** A strong ETag: the first 144 bits of the body's SHA-256, base64url. */
export async function strongEtag(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  const b64 = btoa(String.fromCharCode(...new Uint8Array(digest).subarray(0, 18)))
  return `"${b64.replace(/\+/g, '-').replace(/\//g, '_')}"`
}

export async function represent(body: string, contentType: string, lastModified: Date): Promise<Representation> {
  const bytes = new TextEncoder().encode(body) as Uint8Array<ArrayBuffer>
  return { bytes, contentType, etag: await strongEtag(bytes), lastModified }
}

/** The body as text (the hub signs and sends bytes; tests read text). */
export function textOf(representation: Representation): string {
  return new TextDecoder().decode(representation.bytes)
}

const MiB = 2 ** 20

/**
 * What the memo may keep, in bytes. Hot: what readers poll and link to (first pages of every feed
 * and listing, indexes, OPML, recent articles). Tail: everything else (archive pages, old articles,
 * later previews), which a crawler walks once; the Workers Cache API and the archive answer it again
 * after eviction, so a crawl churns the tail without pushing out what pollers want.
 */
export const MEMO_BUDGET = { hot: 16 * MiB, tail: 4 * MiB }

/** Bytes a kept representation costs beyond its body: validators, header lists prepared for it (src/http/conditional.ts). */
const REPRESENTATION_OVERHEAD = 1024

/**
 * Memoised representations by key, within `budget` bytes (the bodies' bytes, keys and a fixed
 * overhead per entry): the least recently used leave first, so an unbounded space of keys (every
 * archive page, every scheduled-publishing epoch) cannot exhaust the isolate's memory.
 */
export class RepresentationMemo {
  readonly #hot: ByteLru<Representation>
  readonly #tail: ByteLru<Representation>
  readonly #pending = new Map<string, Promise<{ representation: Representation; hot: boolean }>>()

  constructor(budget: { hot: number; tail: number } = MEMO_BUDGET) {
    const weigh = (r: Representation) => r.bytes.byteLength + REPRESENTATION_OVERHEAD
    this.#hot = new ByteLru(budget.hot, weigh)
    this.#tail = new ByteLru(budget.tail, weigh)
  }

  /** The representation kept under `key`, now the most recently used; undefined when it is not kept. */
  lookup(key: string): Representation | undefined {
    return this.#hot.lookup(key) ?? this.#tail.lookup(key)
  }

  /** The memo's own accounting, per part. */
  stats(): { hot: LruStats; tail: LruStats } {
    return { hot: this.#hot.stats(), tail: this.#tail.stats() }
  }

  /**
   * The memoised representation and whether it was already there. `make` runs on a miss only (once
   * for concurrent misses) and says whether what it made is hot; a failure is not remembered.
   */
  async get(key: string, make: () => Promise<{ representation: Representation; hot: boolean }>): Promise<{ representation: Representation; hit: boolean }> {
    const kept = this.lookup(key)
    if (kept) return { representation: kept, hit: true }
    const pending = this.#pending.get(key)
    if (pending) return { representation: (await pending).representation, hit: true }
    const made = make()
    this.#pending.set(key, made)
    try {
      const { representation, hot } = await made
      ;(hot ? this.#hot : this.#tail).put(key, representation)
      return { representation, hit: false }
    } finally {
      this.#pending.delete(key)
    }
  }
}
