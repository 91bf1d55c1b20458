/**
 * The crawl: one isolate, walked as a crawler would, with its heap read after a forced GC every
 * CRAWL_SAMPLE_EVERY requests (DevTools `HeapProfiler.collectGarbage`, then `Runtime.getHeapUsage`).
 * Order: the home feed in three formats, following rel="next" through every archive page; then the
 * same for every section, tag and author feed (all from /feeds.opml); then the HTML listing pages of
 * home; then every article. Peak against Herald's budget target (48 MiB) and Cloudflare's 128 MB.
 */
import { fetchAgain, startHerald } from './lib/servers'
import { devtools, heapAfterGc, type HeapUsage } from './lib/profile'
import { fmt, table } from './lib/stats'
import type { BenchWorkspace } from './lib/workspace'

const MiB = 2 ** 20
export const HEAP_TARGET = 48 * MiB
export const ISOLATE_LIMIT = 128e6
const SAMPLE_EVERY = 100
/** Requests in flight at once: a polite crawler, and enough to keep workerd busy on 2 cores. */
const CONCURRENCY = 4

export interface CrawlResult {
  articles: number
  requests: number
  seconds: number
  samples: { requests: number; phase: string; heap: HeapUsage }[]
  peak: { bytes: number; requests: number; phase: string; heap: HeapUsage }
  errors: number
}

/** Heap + backing store: what the isolate keeps, as far as `Runtime.getHeapUsage` tells. */
export const kept = (h: HeapUsage) => h.usedSize + (h.backingStorageSize ?? 0)

/** The path and query of the page's rel="next" link (JSON Feed `next_url`), if any. */
const nextOf = (body: string): string | undefined => {
  const tag = /<[^>]*\brel="next"[^>]*>/.exec(body)?.[0]
  const href = /"next_url":\s*"([^"]+)"/.exec(body)?.[1] ?? (tag && /href="([^"]+)"/.exec(tag)?.[1]?.replace(/&amp;/g, '&'))
  if (!href) return undefined
  const url = new URL(href, 'http://localhost:8787')
  return url.pathname + url.search
}

export async function crawl(ws: BenchWorkspace): Promise<CrawlResult> {
  // No Cache API: every page the memo evicted is rendered again (the worst case for CPU; the edge
  // cache's storage would otherwise grow by a quarter-megabyte a page outside the isolate).
  const server = await startHerald(ws.bundle, ws.archive, { inspect: true, cacheApi: false })
  const session = await devtools(server.inspector!)
  const t0 = performance.now()
  const samples: CrawlResult['samples'] = []
  let requests = 0
  let errors = 0
  let phase = 'start'
  let sampledAt = 0
  const nudge = async () => void (await (await fetchAgain(`${server.origin}/icon.svg`)).arrayBuffer())
  const sample = async () => samples.push({ requests, phase, heap: await heapAfterGc(session, nudge) })
  try {
    await sample()
    let inFlight: Promise<void>[] = []
    let sampling: Promise<void> | undefined
    /**
     * GETs one URL (bounded concurrency), sampling the heap every SAMPLE_EVERY requests with nothing
     * in flight: while a sample is taken, no request starts.
     */
    const get = async (url: string): Promise<string> => {
      for (;;) {
        if (sampling) await sampling
        else if (inFlight.length >= CONCURRENCY) await Promise.race(inFlight)
        else if (requests - sampledAt >= SAMPLE_EVERY) {
          sampledAt = requests
          sampling = (async () => {
            await Promise.all(inFlight)
            await sample()
          })().finally(() => (sampling = undefined))
        } else break
      }
      requests++
      let text = ''
      const p = (async () => {
        const res = await fetchAgain(server.origin + url)
        text = await res.text()
        if (res.status !== 200) {
          errors++
          if (errors <= 5) console.error(`crawl: ${url} answered ${res.status}: ${text.slice(0, 120)}`)
        }
      })()
      const tracked = p.finally(() => {
        inFlight = inFlight.filter((x) => x !== tracked)
      })
      inFlight.push(tracked)
      await p
      return text
    }
    /** Follows rel="next" from `path` to the last page (sequential: each page names the next). */
    const walk = async (path: string) => {
      let url: string | undefined = path
      while (url) url = nextOf(await get(url))
    }
    const opml = await get('/feeds.opml')
    // The OPML names each listing's RSS feed once; its Atom and JSON Feed are beside it.
    const feeds = [...opml.matchAll(/xmlUrl="([^"]+)"/g)]
      .map((m) => new URL(m[1]!.replace(/&amp;/g, '&')).pathname)
      .flatMap((rss) => ['feed.xml', 'atom.xml', 'feed.json'].map((file) => rss.replace(/feed\.xml$/, file)))
    // Feeds of one listing run side by side (three formats), listings one after another.
    const byListing = new Map<string, string[]>()
    for (const f of feeds) {
      const listing = f.replace(/\/[^/]+$/, '')
      byListing.set(listing, [...(byListing.get(listing) ?? []), f])
    }
    for (const [listing, paths] of byListing) {
      phase = `feeds ${listing || '/'}`
      await Promise.all(paths.map(walk))
      console.log(`crawl ${ws.articles}: ${phase} done, ${requests} requests, heap ${fmt(kept(samples.at(-1)!.heap) / MiB, 1)} MiB`)
    }
    phase = 'home pages'
    await walk('/')
    phase = 'articles'
    const slugs = Array.from({ length: ws.articles }, (_, i) => `/articles/bench-${ws.articles - 1 - i}`)
    for (let i = 0; i < slugs.length; i += CONCURRENCY) await Promise.all(slugs.slice(i, i + CONCURRENCY).map(get))
    await Promise.all(inFlight)
    await sample()
    const peakSample = samples.reduce((a, b) => (kept(b.heap) > kept(a.heap) ? b : a))
    return {
      articles: ws.articles,
      requests,
      seconds: (performance.now() - t0) / 1000,
      samples,
      peak: { bytes: kept(peakSample.heap), requests: peakSample.requests, phase: peakSample.phase, heap: peakSample.heap },
      errors,
    }
  } finally {
    session.close()
    await server.stop()
  }
}

/** The crawls as markdown: one row per size, and the heap curve of the largest. */
export function crawlMarkdown(results: CrawlResult[]): string {
  const mib = (b: number) => fmt(b / MiB, 1)
  const rows = results.map((r) => [
    r.articles.toLocaleString('en'),
    r.requests.toLocaleString('en'),
    fmt(r.seconds, 0),
    r.errors,
    mib(kept(r.samples[0]!.heap)),
    `**${mib(r.peak.bytes)}** (${r.peak.phase}, request ${r.peak.requests.toLocaleString('en')})`,
    mib(r.peak.heap.usedSize),
    r.peak.heap.backingStorageSize === undefined ? 'not reported' : mib(r.peak.heap.backingStorageSize),
    mib(kept(r.samples.at(-1)!.heap)),
    `${fmt((100 * r.peak.bytes) / HEAP_TARGET, 0)}%`,
    `${fmt((100 * r.peak.bytes) / ISOLATE_LIMIT, 0)}%`,
  ])
  const largest = results.at(-1)
  const curve: string[] = []
  if (largest) {
    // About 40 points of the curve, and every phase's last sample.
    const step = Math.max(1, Math.ceil(largest.samples.length / 40))
    const shown = largest.samples.filter((s, i, all) => i % step === 0 || i === all.length - 1 || all[i + 1]?.phase !== s.phase)
    curve.push(
      `Heap curve of the ${largest.articles.toLocaleString('en')}-article crawl (every ${step * SAMPLE_EVERY} requests, and the end of each phase; MiB after GC):`,
      '',
      table(
        ['requests', 'phase', 'used heap', 'backing store', 'heap + backing store', 'total heap'],
        shown.map((s) => [s.requests.toLocaleString('en'), s.phase, mib(s.heap.usedSize), s.heap.backingStorageSize === undefined ? 'n/a' : mib(s.heap.backingStorageSize), mib(kept(s.heap)), mib(s.heap.totalSize)]),
      ),
    )
  }
  return [
    `One workerd isolate (Miniflare, direct socket, archive as static assets, Cache API off so every evicted page is rendered`,
    `again), ${CONCURRENCY} requests in flight. Every ${SAMPLE_EVERY} requests, with none in flight: DevTools \`HeapProfiler.collectGarbage\` (workerd runs it when the isolate next takes a request: a GET /icon.svg, not counted), then`,
    '`Runtime.getHeapUsage` (`usedSize`: V8 JS heap in use; `backingStorageSize`: ArrayBuffer backing stores). Kept = used heap +',
    `backing store. Crawl: every feed in /feeds.opml (home, sections, tags, authors; three formats) through every rel="next" page,`,
    'then the home listing\'s HTML pages, then every article. Target: kept ≤ 48 MiB at every sample; Cloudflare\'s limit: 128 MB.',
    '',
    table(['articles', 'requests', 'seconds', 'errors', 'kept at start MiB', 'peak kept MiB', 'used heap at peak', 'backing store at peak', 'kept at end', 'of 48 MiB', 'of 128 MB'], rows),
    '',
    ...curve,
  ].join('\n')
}
