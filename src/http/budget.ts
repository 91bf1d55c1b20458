/**
 * @module
 * A map bounded by bytes, not by count: each entry is weighed when it is put, and the least
 * recently used entries leave until the total is within the budget. An entry heavier than the
 * largest allowed is not kept (its caller still uses it).
 */

export interface LruStats {
  /** Bytes accounted for the entries kept: payload, key and a fixed overhead each. */
  bytes: number
  entries: number
  budget: number
  /** Entries evicted so far to stay within the budget, and values refused as too large. */
  evicted: number
  refused: number
}

/** What a map entry, its record and a small value object cost beyond their payload, about. */
export const ENTRY_OVERHEAD = 256

export class ByteLru<V> {
  readonly #entries = new Map<string, { value: V; weight: number }>()
  #bytes = 0
  #evicted = 0
  #refused = 0

  /**
   * @param budget most bytes the entries may weigh together
   * @param weigh bytes a value costs (its key adds two bytes a character, and ENTRY_OVERHEAD)
   * @param largest the heaviest entry kept (default: an eighth of the budget)
   */
  constructor(
    readonly budget: number,
    private readonly weigh: (value: V) => number,
    readonly largest = Math.floor(budget / 8),
  ) {}

  stats(): LruStats {
    return { bytes: this.#bytes, entries: this.#entries.size, budget: this.budget, evicted: this.#evicted, refused: this.#refused }
  }

  /** The value under `key`, now the most recently used. */
  lookup(key: string): V | undefined {
    const entry = this.#entries.get(key)
    if (!entry) return undefined
    // Most recently used goes last: eviction takes from the front.
    this.#entries.delete(key)
    this.#entries.set(key, entry)
    return entry.value
  }

  /** Keeps `value` under `key` if it fits, evicting the least recently used entries to make room. */
  put(key: string, value: V): void {
    const old = this.#entries.get(key)
    if (old) {
      this.#entries.delete(key)
      this.#bytes -= old.weight
    }
    const weight = this.weigh(value) + 2 * key.length + ENTRY_OVERHEAD
    if (weight > this.largest) {
      this.#refused++
      return
    }
    this.#entries.set(key, { value, weight })
    this.#bytes += weight
    for (const [k, e] of this.#entries) {
      if (this.#bytes <= this.budget) break
      this.#entries.delete(k)
      this.#bytes -= e.weight
      this.#evicted++
    }
  }
}
