/**
 * Scale: generated archives of increasing size. Bundle size (raw, gzip) from `wrangler deploy
 * --dry-run`; start to first 200; first and warm latency of the main feed and of the oldest
 * archive page. Per-request cost is the warm latency (the work after the per-isolate build).
 */
import { startHerald } from './lib/servers'
import { fmt, median, table } from './lib/stats'
import { benchWorkspace } from './lib/workspace'

const LIMIT_BYTES = 64 * 2 ** 20

async function timed(url: string): Promise<{ ms: number; status: number; next?: string }> {
  const t0 = performance.now()
  const res = await fetch(url)
  const text = await res.text()
  const ms = performance.now() - t0
  let next: string | undefined
  if (url.includes('.json')) next = (JSON.parse(text) as { next_url?: string }).next_url
  return { ms, status: res.status, next }
}

export async function scaleBench(sizes: number[]): Promise<string> {
  const rows: (string | number)[][] = []
  const warmByN: Record<number, number> = {}
  for (const n of sizes) {
    console.log(`scale: ${n} articles: generating and bundling`)
    let ws
    try {
      ws = benchWorkspace(n)
    } catch (err) {
      rows.push([n.toLocaleString('en'), 'bundle failed', '', '', '', '', '', '', String(err).split('\n')[0]!])
      continue
    }
    const t0 = performance.now()
    const herald = await startHerald(ws.bundle)
    try {
      const first = await timed(`${herald.origin}/feed.json`)
      const startToFirst = performance.now() - t0
      const warm: number[] = []
      for (let i = 0; i < 30; i++) warm.push((await timed(`${herald.origin}/feed.json`)).ms)
      // The oldest archive page: the rel="last" anchor, found from the Atom feed's links.
      const atom = await (await fetch(`${herald.origin}/atom.xml`)).text()
      const last = /<link rel="last" href="([^"]+)"/.exec(atom)?.[1]?.replace(/&amp;/g, '&')
      const oldestFirst = last ? await timed(last.replace(/^https?:\/\/[^/]+/, herald.origin)) : { ms: NaN }
      const oldestWarm: number[] = []
      for (let i = 0; i < 30 && last; i++) oldestWarm.push((await timed(last.replace(/^https?:\/\/[^/]+/, herald.origin))).ms)
      warmByN[n] = median(warm)
      rows.push([
        n.toLocaleString('en'),
        `${fmt(ws.bundleBytes / 2 ** 20, 1)} / ${fmt(ws.bundleGzipBytes / 2 ** 20, 1)}`,
        ws.bundleBytes > LIMIT_BYTES ? 'over 64 MiB' : `${fmt((100 * ws.bundleBytes) / LIMIT_BYTES, 0)}% of 64 MiB`,
        fmt(startToFirst, 0),
        fmt(first.ms, 1),
        fmt(median(warm), 2),
        fmt(oldestFirst.ms, 1),
        fmt(median(oldestWarm), 2),
        first.status === 200 ? 'ok' : `status ${first.status}`,
      ])
      console.log(`scale: ${n}: bundle ${fmt(ws.bundleBytes / 2 ** 20, 1)} MiB, first feed ${fmt(first.ms, 1)} ms, warm ${fmt(median(warm), 2)} ms`)
    } finally {
      await herald.stop()
    }
  }
  const sizesDone = Object.keys(warmByN).map(Number)
  const growth = sizesDone.length >= 2 ? warmByN[Math.max(...sizesDone)]! / warmByN[Math.min(...sizesDone)]! : NaN
  return [
    'Generated archives (about 5 KB of Markdown per article), bundled by `wrangler deploy --dry-run`, served by workerd',
    '(Miniflare, direct sockets). "First" includes building the collection in a new isolate (sorting, indexing) and',
    'rendering the feed; "warm" is the median of 30 sequential requests afterwards (wall time on 127.0.0.1).',
    '',
    table(['articles', 'bundle MiB raw / gzip', 'vs. script limit', 'start → first 200 ms', 'first /feed.json ms', 'warm /feed.json ms', 'first oldest page ms', 'warm oldest page ms', 'result'], rows),
    '',
    `Warm per-request cost, largest ÷ smallest archive measured: ${fmt(growth, 2)}x.`,
  ].join('\n')
}
