/**
 * Serving: req/s, p50 and p99 of Herald's routes against a constant-string worker sending the same
 * bytes (the limit), both on workerd (Miniflare, direct sockets), alternating A/B over rounds.
 */
import { join } from 'node:path'
import { fmt, median, table } from './lib/stats'
import { fetchAgain, startHerald, startLimit, type Canned } from './lib/servers'
import type { BenchWorkspace } from './lib/workspace'
import { wrk } from './lib/wrk'

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
    // For context: the same constant worker without static assets, reached with no router hops at all.
    const bare = await startLimit(join(ws.root, 'bare'), limitCanned, (port) => `http://127.0.0.1:${port}`)
    try {
      const rows: (string | number)[][] = []
      const ratios: Record<string, number> = {}
      for (const [i, t] of targets.entries()) {
        const headers: Record<string, string> = t.conditional ? { 'If-None-Match': canned[i]!.ifNoneMatch! } : {}
        const limitPath = t.conditional ? `${t.path}${t.path.includes('?') ? '&' : '?'}conditional` : t.path
        const a: ReturnType<typeof wrk>[] = []
        const b: ReturnType<typeof wrk>[] = []
        const d: ReturnType<typeof wrk>[] = []
        wrk(herald.origin + t.path, 1, headers) // warm all three
        wrk(limit.origin + limitPath, 1, headers)
        wrk(bare.origin + limitPath, 1, headers)
        for (let r = 0; r < o.rounds; r++) {
          a.push(wrk(herald.origin + t.path, o.seconds, headers))
          b.push(wrk(limit.origin + limitPath, o.seconds, headers))
          d.push(wrk(bare.origin + limitPath, o.seconds, headers))
        }
        const ratio = median(a.map((x) => x.rps)) / median(b.map((x) => x.rps))
        const bareRatio = median(a.map((x) => x.rps)) / median(d.map((x) => x.rps))
        ratios[t.name] = ratio
        const bytes = canned[i]!.status === 304 ? 0 : new TextEncoder().encode(canned[i]!.body).length
        rows.push([
          t.name,
          fmt(bytes / 1024, 1),
          `${fmt(median(a.map((x) => x.rps)))} (${fmt(Math.min(...a.map((x) => x.rps)))}–${fmt(Math.max(...a.map((x) => x.rps)))})`,
          `${fmt(median(b.map((x) => x.rps)))} (${fmt(Math.min(...b.map((x) => x.rps)))}–${fmt(Math.max(...b.map((x) => x.rps)))})`,
          `${fmt(median(a.map((x) => x.p50ms)), 2)} / ${fmt(median(a.map((x) => x.p99ms)), 2)}`,
          `${fmt(median(b.map((x) => x.p50ms)), 2)} / ${fmt(median(b.map((x) => x.p99ms)), 2)}`,
          `**${fmt(ratio, 2)}x**`,
          `${fmt(median(d.map((x) => x.rps)))} → ${fmt(bareRatio, 2)}x`,
          a.concat(b, d).reduce((n, x) => n + x.errors, 0),
        ])
        console.log(`serve: ${t.name}: ${fmt(ratio, 2)}x of the limit (${fmt(bareRatio, 2)}x of the bare limit)`)
      }
      const markdown = table(
        ['route', 'KiB', 'Herald req/s median (min–max)', 'limit req/s median (min–max)', 'Herald p50 / p99 ms', 'limit p50 / p99 ms', 'ratio', 'bare limit req/s → ratio', 'errors'],
        rows,
      )
      return { markdown, ratios }
    } finally {
      await limit.stop()
      await bare.stop()
    }
  } finally {
    await herald.stop()
  }
}
