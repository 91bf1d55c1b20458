/**
 * Worker CPU of a new isolate's first request, per kind of URL: a V8 CPU profile of the Worker's
 * isolate over DevTools (100 µs sampling, idle excluded) around the first request of a freshly
 * started workerd, median of CPU_STARTS starts. What Cloudflare counts and limits as CPU time
 * (10 ms a request on the Free plan), without the wall time spent waiting on archive reads.
 */
import { busyMs, profiled } from './lib/profile'
import { fetchAgain, startHerald } from './lib/servers'
import { fmt, median, table } from './lib/stats'
import type { BenchWorkspace } from './lib/workspace'

const STARTS = Number(process.env.BENCH_CPU_STARTS ?? 5)

interface Kind {
  name: string
  /** ms of worker CPU the first request of this kind may take. */
  target: number
  path: (paths: Paths) => string
}

interface Paths {
  tagFeed: string
  oldest: string
  article: string
}

export const KINDS: Kind[] = [
  { name: 'RSS /feed.xml (prebuilt)', target: 10, path: () => '/feed.xml' },
  { name: 'Atom /atom.xml (prebuilt)', target: 10, path: () => '/atom.xml' },
  { name: 'JSON /feed.json (prebuilt)', target: 10, path: () => '/feed.json' },
  { name: 'tag feed (prebuilt)', target: 10, path: (p) => p.tagFeed },
  { name: 'article page', target: 10, path: (p) => p.article },
  { name: 'oldest archive page (RSS)', target: 20, path: (p) => p.oldest },
]

export interface CpuResult {
  articles: number
  /** Per kind: median total, JS and V8 ("(program)") ms, and every start's total. */
  kinds: { kind: Kind; path: string; total: number; js: number; program: number; all: number[] }[]
}

/** The URLs to measure, found on a warm server: a tag feed from the OPML, the oldest page from rel="last". */
async function pathsOf(ws: BenchWorkspace): Promise<Paths> {
  const server = await startHerald(ws.bundle, ws.archive)
  try {
    const opml = await (await fetchAgain(`${server.origin}/feeds.opml`)).text()
    const tagFeed = [...opml.matchAll(/xmlUrl="([^"]+)"/g)].map((m) => new URL(m[1]!).pathname).find((p) => p.startsWith('/tags/') && p.endsWith('/feed.xml'))
    const rss = await (await fetchAgain(`${server.origin}/feed.xml`)).text()
    const tag = /<[^>]*\brel="last"[^>]*>/.exec(rss)?.[0]
    const last = tag && /href="([^"]+)"/.exec(tag)?.[1]?.replace(/&amp;/g, '&')
    if (!tagFeed || !last) throw new Error('cpu: no tag feed in /feeds.opml or no rel="last" in /feed.xml')
    return { tagFeed, oldest: new URL(last).pathname + new URL(last).search, article: `/articles/bench-${Math.floor(ws.articles / 3)}` }
  } finally {
    await server.stop()
  }
}

async function firstRequestCpu(ws: BenchWorkspace, path: string): Promise<{ js: number; program: number }> {
  const server = await startHerald(ws.bundle, ws.archive, { inspect: true })
  try {
    let status = 0
    const profile = await profiled(server.inspector!, async () => {
      const res = await fetchAgain(server.origin + path)
      await res.arrayBuffer()
      status = res.status
    })
    if (status !== 200) throw new Error(`cpu: first ${path} answered ${status}`)
    return busyMs(profile)
  } finally {
    await server.stop()
  }
}

export async function cpuBench(ws: BenchWorkspace): Promise<CpuResult> {
  const paths = await pathsOf(ws)
  const runs = new Map<Kind, { js: number; program: number }[]>(KINDS.map((k) => [k, []]))
  // Kinds alternate within each round, so a noisy minute falls on all of them.
  for (let i = 0; i < STARTS; i++) for (const kind of KINDS) runs.get(kind)!.push(await firstRequestCpu(ws, kind.path(paths)))
  const kinds = KINDS.map((kind) => {
    const xs = runs.get(kind)!
    return { kind, path: kind.path(paths), total: median(xs.map((x) => x.js + x.program)), js: median(xs.map((x) => x.js)), program: median(xs.map((x) => x.program)), all: xs.map((x) => x.js + x.program) }
  })
  console.log(`cpu ${ws.articles}: ${kinds.map((k) => `${k.kind.name} ${fmt(k.total, 1)} ms`).join(', ')}`)
  return { articles: ws.articles, kinds }
}

export function cpuMarkdown(results: CpuResult[]): string {
  const rows = KINDS.flatMap((kind) =>
    results.map((r) => {
      const k = r.kinds.find((x) => x.kind === kind)!
      const verdict = k.total <= kind.target ? 'met' : `missed by ${fmt(k.total - kind.target, 1)} ms`
      return [kind.name, r.articles.toLocaleString('en'), `**${fmt(k.total, 1)}**`, `${fmt(Math.min(...k.all), 1)}–${fmt(Math.max(...k.all), 1)}`, `${fmt(k.js, 1)} / ${fmt(k.program, 1)}`, `≤ ${kind.target}`, verdict]
    }),
  )
  return [
    `A V8 CPU profile of the Worker's isolate over DevTools (100 µs sampling, idle excluded) around the first request of a`,
    `freshly started workerd (the global scope has run; the archive's manifest has not been read); median of ${STARTS} starts, min–max`,
    'beside it. "V8" is time outside JavaScript (lazy compilation of the bundle\'s functions, parsing, native calls).',
    `The article is bench-${'{n/3}'}; the oldest archive page is /feed.xml's rel="last".`,
    '',
    table(['URL kind', 'articles', 'first-request CPU ms (median)', 'min–max', 'JS / V8 ms', 'target ms', 'target'], rows),
  ].join('\n')
}
