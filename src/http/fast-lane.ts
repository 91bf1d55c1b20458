/**
 * @module
 * Memoised feeds and pages answered before routing. A feed reader polls the same few URLs all day, and
 * everything the router, the middleware and the recipe work out for such a request (listing,
 * page, format, memo key, header set) is the same every time until a scheduled story goes live or
 * a withdrawal takes effect. So once a URL's feed has been sent from the memo, the URL leads here
 * to its memo key and prepared headers, valid until the archive's next such instant: the request
 * costs a map lookup, a validator check and a Response, as sending a constant would.
 *
 * Nothing is kept here but keys: the bytes stay the memo's, within its budget (a URL whose
 * representation was evicted goes the long way again). Browser navigations of a feed (the
 * preview page), ActivityPub requests of an article, and every other method take the long way.
 */
import { wantsActivity } from '../fediverse/negotiate'
import { isBrowserNavigation } from '../pages/preview'
import { preparedFor, respond, type LastChange } from './conditional'
import type { RepresentationMemo } from './representation'

interface Lane {
  /** The memo key of the representation the URL was answered with. */
  key: string
  /** Which prepared header set (src/http/conditional.ts) it was sent with. */
  variant: string
  /** Until when (ms) the key is what the URL names: the archive's next scheduled or withdrawal instant. */
  until: number
  /**
   * What the URL is: a feed answers a browser navigation with its preview page, an article answers
   * ActivityPub's Accept with its ActivityStreams object; those requests take the long way.
   */
  kind: LaneKind
}

export type LaneKind = 'feed' | 'page' | 'article'

/** URLs remembered at most; past it the lanes start again (a crawler's archive pages churn them, pollers refill them). */
const MAX_LANES = 1024
/**
 * The longest URL remembered. The lanes are keyed by the whole URL, tracking query and all, and
 * are not counted in the memo's byte budget: 1,024 URLs of 16 KB each held 16 MB outside it.
 * No feed or page a reader polls has an address this long; a longer one is simply routed.
 */
const MAX_LANE_URL = 2048

export class FastLane {
  readonly #lanes = new Map<string, Lane>()
  #answered = 0

  constructor(
    private readonly memo: RepresentationMemo,
    /** The archive's last change (a Last-Modified still to come is sent as it: src/http/conditional.ts). */
    private readonly lastChange: LastChange,
  ) {}

  /** The response the routes would give to `request` at `now`, when it is a GET the lane knows; else undefined. */
  answer(request: Request, now: number): Response | undefined {
    if (request.method !== 'GET') return undefined
    const lane = this.#lanes.get(request.url)
    if (!lane) return undefined
    const representation = now < lane.until ? this.memo.lookup(lane.key) : undefined
    const prepared = representation && preparedFor(representation, lane.variant)
    if (!prepared) {
      this.#lanes.delete(request.url)
      return undefined
    }
    if (lane.kind === 'feed' && isBrowserNavigation(request.headers)) return undefined
    if (lane.kind === 'article' && wantsActivity(request.headers.get('accept') ?? undefined)) return undefined
    this.#answered++
    return respond(request.headers, representation, prepared, this.lastChange)
  }

  /** Remembers that a GET of `url` (a `kind`) was answered from the memo with `key` and `variant`, valid until `until`. */
  remember(url: string, kind: LaneKind, key: string, variant: string, until: number): void {
    if (url.length > MAX_LANE_URL) return
    if (this.#lanes.size >= MAX_LANES && !this.#lanes.has(url)) this.#lanes.clear()
    this.#lanes.set(url, { key, variant, until, kind })
  }

  stats(): { lanes: number; answered: number } {
    return { lanes: this.#lanes.size, answered: this.#answered }
  }
}
