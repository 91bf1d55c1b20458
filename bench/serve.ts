/**
 * Serving: req/s, p50 and p99 of Herald's routes against a constant-string worker sending the same
 * bytes (the limit), both on workerd (Miniflare, direct sockets), alternating A/B over rounds.
 */
import { join } from 'node:path'
import { fmt, median, table } from './lib/stats'
import { fetchAgain, startHerald, startHeraldDirect, startLimit, type Canned } from './lib/servers'
import type { BenchWorkspace } from './lib/workspace'
import { wrk, type LoadResult } from './lib/wrk'

export interface ServeOptions {
  seconds: number
  rounds: number
}

interface Target {
  name: string
  path: string
  conditional?: boolean
}

export async function serveBench(ws: BenchWorkspace, o: ServeOptions): Promise<{ markdown: string; ratios: Record<string, number> }> {
  const herald = await startHerald(ws.bundle, ws.archive)
  try {
    // Find a deep archive page by walking rel="next" from the main feed to the end.
    let next: string | undefined = `${herald.origin}/feed.json`
    let deepest = '/feed.xml'
    while (next) {
      const json = (await (await fetchAgain(next)).json()) as { next_url?: string }
      if (json.next_url) deepest = new URL(json.next_url).pathname.replace('feed.json', 'feed.xml') + new URL(json.next_url).search
      // Links name SITE_URL (localhost:8787); the server under test listens elsewhere.
      next = json.next_url && herald.origin + new URL(json.next_url).pathname + new URL(json.next_url).search
    }
    const targets: Target[] = [
      { name: 'RSS /feed.xml', path: '/feed.xml' },
      { name: 'Atom /atom.xml', path: '/atom.xml' },
      { name: 'JSON /feed.json', path: '/feed.json' },
      { name: 'section feed', path: '/sections/news/feed.xml' },
      { name: 'deepest archive page', path: deepest },
      { name: 'article page', path: `/articles/bench-${Math.floor(ws.articles / 2)}` },
      { name: '304 /feed.xml', path: '/feed.xml', conditional: true },
    ]
    // The limit worker answers with exactly what Herald sent.
    const canned: Canned[] = []
    for (const t of targets) {
      const res = await fetchAgain(herald.origin + t.path)
      const body = await res.text()
      const etag = res.headers.get('etag')!
      const headers = [...res.headers].filter(([k]) => !['content-length', 'date'].includes(k)) as [string, string][]
      canned.push(t.conditional ? { url: `${herald.origin}${t.path}#304`, status: 304, headers, body: '', ifNoneMatch: etag } : { url: herald.origin + t.path, status: 200, headers, body })
    }
    const limitCanned = canned.map((c) => ({ ...c, url: c.url.replace('#304', '') + (c.status === 304 ? (c.url.includes('?') ? '&' : '?') + 'conditional' : '') }))
    const limit = await startLimit(join(ws.root), limitCanned, (port) => `http://127.0.0.1:${port}`, ws.archive)
    // The same constant worker without static assets, reached with no router hops at all, and
    // Herald without them too: the pair that shows Herald's own cost.
    const bare = await startLimit(join(ws.root, 'bare'), limitCanned, (port) => `http://127.0.0.1:${port}`)
    const direct = await startHeraldDirect(ws.bundle, ws.archive)
    try {
      // Both Heralds must send the same bytes, or the direct pair measures something else.
      for (const t of targets) {
        const etag = (await fetchAgain(direct.origin + t.path)).headers.get('etag')
        const expected = (await fetchAgain(herald.origin + t.path)).headers.get('etag')
        if (!etag || etag !== expected) throw new Error(`bench: ${t.path}: the direct Herald sent other bytes (ETag ${etag}, not ${expected})`)
      }
      const rows: (string | number)[][] = []
      const medians = new Map<string, number[]>()
      const ratios: Record<string, number> = {}
      const summary = (xs: LoadResult[]) => `${fmt(median(xs.map((x) => x.rps)))} (${fmt(Math.min(...xs.map((x) => x.rps)))}–${fmt(Math.max(...xs.map((x) => x.rps)))})`
      const latency = (xs: LoadResult[]) => `${fmt(median(xs.map((x) => x.p50ms)), 2)} / ${fmt(median(xs.map((x) => x.p99ms)), 2)}`
      for (const [i, t] of targets.entries()) {
        const headers: Record<string, string> = t.conditional ? { 'If-None-Match': canned[i]!.ifNoneMatch! } : {}
        const limitPath = t.conditional ? `${t.path}${t.path.includes('?') ? '&' : '?'}conditional` : t.path
        const servers = [herald.origin + t.path, limit.origin + limitPath, direct.origin + t.path, bare.origin + limitPath]
        const runs: LoadResult[][] = servers.map(() => [])
        for (const url of servers) wrk(url, 1, headers) // warm every server: memo filled, sockets open
        for (let r = 0; r < o.rounds; r++) {
          // Rotate who goes first, so drift in the machine's load does not favour one server.
          for (let k = 0; k < servers.length; k++) {
            const s = (k + r) % servers.length
            runs[s]!.push(wrk(servers[s]!, o.seconds, headers))
          }
        }
        const [a, b, h, d] = runs as [LoadResult[], LoadResult[], LoadResult[], LoadResult[]]
        // Paired: each round's Herald run over the same round's limit run, then the median of those.
        const paired = (x: LoadResult[], y: LoadResult[]) => median(x.map((run, r) => run.rps / y[r]!.rps))
        const ratio = paired(a, b)
        const directRatio = paired(h, d)
        ratios[t.name] = ratio
        medians.set(t.name, runs.map((xs) => median(xs.map((x) => x.rps))))
        ratios[`${t.name} (direct)`] = directRatio
        const bytes = canned[i]!.status === 304 ? 0 : new TextEncoder().encode(canned[i]!.body).length
        rows.push([
          t.name,
          fmt(bytes / 1024, 1),
          summary(a),
          summary(b),
          `**${fmt(ratio, 2)}x**`,
          summary(h),
          summary(d),
          `**${fmt(directRatio, 2)}x**`,
          `${latency(a)} · ${latency(h)}`,
          `${latency(b)} · ${latency(d)}`,
          runs.flat().reduce((n, x) => n + x.errors, 0),
        ])
        console.log(`serve: ${t.name}: ${fmt(ratio, 2)}x of the limit through the assets router, ${fmt(directRatio, 2)}x of the bare limit direct`)
      }
      const markdown = table(
        [
          'route',
          'KiB',
          'Herald req/s, assets router',
          'limit req/s, assets router',
          'ratio',
          'Herald req/s, direct',
          'limit req/s, bare',
          'ratio',
          'Herald p50 / p99 ms (router · direct)',
          'limit p50 / p99 ms (router · bare)',
          'errors',
        ],
        rows,
      )
      // The reading of the 304 target: a 304 must cost no more than sending the feed as a
      // constant. Medians of different loops, so not paired.
      const [h304, , d304] = medians.get('304 /feed.xml')!
      const [, rssLimit, , rssBare] = medians.get('RSS /feed.xml')!
      const note = `304 on /feed.xml against the limit sending /feed.xml's 200 as a constant: **${fmt(h304! / rssLimit!, 2)}x** through the assets router, **${fmt(d304! / rssBare!, 2)}x** direct (median ÷ median).`
      return { markdown: `${markdown}\n\n${note}`, ratios }
    } finally {
      await limit.stop()
      await bare.stop()
      await direct.stop()
    }
  } finally {
    await herald.stop()
  }
}
