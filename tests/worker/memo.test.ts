/**
 * Memory that cannot grow with the archive: the memo and the parsed-file cache keep within their
 * byte budgets, by their own accounting, while a crawler walks every archive page; what they
 * evicted is served again with the same bytes and ETag.
 */
import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { ByteLru, ENTRY_OVERHEAD } from '../../src/http/budget'
import { heraldOf } from '../helpers/archive'
import { collection, manyArticles } from '../helpers/content'
import { ORIGIN } from '../helpers/worker'

const KiB = 1024

describe('ByteLru', () => {
  it('keeps the bytes it accounts within its budget and equal to the sum of what it keeps', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 3000 })), { maxLength: 300 }), (puts) => {
        const lru = new ByteLru<number>(8 * KiB, (n) => n)
        const kept = new Map<string, number>()
        for (const [k, weight] of puts) {
          lru.put(`k${k}`, weight)
          const stats = lru.stats()
          expect(stats.bytes).toBeLessThanOrEqual(8 * KiB)
          kept.clear()
          for (let i = 0; i <= 30; i++) {
            const v = lru.lookup(`k${i}`)
            if (v !== undefined) kept.set(`k${i}`, v)
          }
          const sum = [...kept].reduce((s, [key, v]) => s + v + 2 * key.length + ENTRY_OVERHEAD, 0)
          expect(lru.stats().bytes).toBe(sum)
          expect(lru.stats().entries).toBe(kept.size)
        }
      }),
    )
  })

  it('evicts the least recently used entry first, and refuses an entry above its largest', () => {
    const lru = new ByteLru<number>(3 * (100 + ENTRY_OVERHEAD + 4), (n) => n, 2000)
    lru.put('k1', 100)
    lru.put('k2', 100)
    lru.put('k3', 100)
    lru.lookup('k1')
    lru.put('k4', 100)
    expect(lru.lookup('k2')).toBeUndefined()
    expect(lru.lookup('k1')).toBe(100)
    lru.put('k5', 5000)
    expect(lru.lookup('k5')).toBeUndefined()
    expect(lru.stats().refused).toBe(1)
  })
})

describe('the memo under a crawler', () => {
  // 600 stories in feeds of 5: 120 archive pages per format, far more than the budgets hold.
  const content = collection(manyArticles(600))
  const vars = { ...env, FEED_SIZE: '5' } as unknown as Env
  const budget = { hot: 128 * KiB, tail: 64 * KiB }
  // Above a block and its item file (the three formats of 32 stories), each at most an eighth of the budget.
  const fileBudget = 1024 * KiB

  /** Follows rel="next" from the feed's first page to its last; every page's body and ETag by URL. */
  async function crawl(request: (url: string) => Promise<Response>, path: string, onPage: () => void) {
    const pages = new Map<string, { body: string; etag: string }>()
    let url: string | undefined = ORIGIN + path
    while (url) {
      const res = await request(url)
      expect(res.status, url).toBe(200)
      const body = await res.text()
      pages.set(url, { body, etag: res.headers.get('etag')! })
      onPage()
      const next = /<link rel="next" href="([^"]+)"/.exec(body)?.[1] ?? /<atom:link [^>]*rel="next"[^>]*href="([^"]+)"/.exec(body)?.[1]
      url = next?.replace(/&amp;/g, '&')
    }
    return pages
  }

  it('keeps its own byte accounting under its budget on every page, and serves evicted pages again byte for byte', async () => {
    const source = heraldOf(content, undefined, undefined, { memoBudget: budget, fileBudget })
    const app = createApp(source)
    const herald = await source(vars)
    const request = async (url: string) => app.request(url, {}, vars)
    let peak = 0
    let filePeak = 0
    const check = () => {
      const { hot, tail } = herald.memo.stats()
      expect(hot.bytes).toBeLessThanOrEqual(budget.hot)
      expect(tail.bytes).toBeLessThanOrEqual(budget.tail)
      expect(herald.archive.fileStats().bytes).toBeLessThanOrEqual(fileBudget)
      peak = Math.max(peak, hot.bytes + tail.bytes)
      filePeak = Math.max(filePeak, herald.archive.fileStats().bytes)
    }
    const first = await crawl(request, '/atom.xml', check)
    expect(first.size).toBe(120)
    const { tail } = herald.memo.stats()
    expect(tail.evicted).toBeGreaterThan(0)
    expect(tail.refused).toBe(0)
    expect(herald.archive.fileStats().evicted, JSON.stringify(herald.archive.fileStats())).toBeGreaterThan(0)
    expect(herald.archive.fileStats().refused).toBe(0)
    // The walk filled the budgets: the test would notice accounting that counts nothing.
    expect(peak).toBeGreaterThan(budget.tail / 2)
    expect(filePeak).toBeGreaterThan(fileBudget / 2)

    // Again, on the same isolate: evicted pages come back (edge cache or rendering), unchanged.
    const again = await crawl(request, '/atom.xml', check)
    expect([...again.keys()]).toEqual([...first.keys()])
    for (const [url, page] of first) expect(again.get(url), url).toEqual(page)

    // And as an isolate with the default budgets, which evicts nothing, renders them.
    const roomy = createApp(heraldOf(content))
    for (const [url, page] of first) {
      const res = await roomy.request(url, {}, vars)
      expect(await res.text(), url).toBe(page.body)
      expect(res.headers.get('etag'), url).toBe(page.etag)
    }
  })

  it('keeps the first pages readers poll while a crawler walks the archive pages', async () => {
    const source = heraldOf(content, undefined, undefined, { memoBudget: budget, fileBudget })
    const app = createApp(source)
    const request = async (url: string) => app.request(url, {}, vars)
    expect((await request(`${ORIGIN}/feed.json`)).headers.get('x-herald-cache')).not.toBe('memory')
    await crawl(request, '/atom.xml', () => {})
    expect((await request(`${ORIGIN}/feed.json`)).headers.get('x-herald-cache')).toBe('memory')
  })
})
