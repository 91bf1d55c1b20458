/**
 * Worker CPU of a new isolate's first request, per kind of URL: a V8 CPU profile of the Worker's
 * isolate over DevTools (100 µs sampling, idle excluded) around the first request of a freshly
 * started workerd, median of CPU_STARTS starts. What Cloudflare counts and limits as CPU time
 * (10 ms a request on the Free plan), without the wall time spent waiting on archive reads.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { busyMs, profiled, topSelf, workerdThreadMs } from './lib/profile'
import { progress, progressDone } from './lib/progress'
import { fetchAgain, startHerald, startScript, VARS } from './lib/servers'
import { fmt, median, table } from './lib/stats'
import type { BenchWorkspace } from './lib/workspace'

const STARTS = Number(process.env.BENCH_CPU_STARTS ?? 5)
/** BENCH_CPU_TOP=N: also print each first request's N functions with the most self time. */
const TOP = Number(process.env.BENCH_CPU_TOP ?? 0)
/** BENCH_CPU_SAVE=dir: also write each first request's profile there, for DevTools or a script (`<articles>-<url>-<n>.cpuprofile`). */
const SAVE = process.env.BENCH_CPU_SAVE

interface Kind {
  name: string
  /** ms of worker CPU the first request of this kind may take. */
  target: number
  path: (paths: Paths) => string
}

interface Paths {
  tagFeed: string
  oldest: string
  /** The second page of the sparsest tag that has one: its stories lie one or two to a story block. */
  sparse: string
  article: string
}

export const KINDS: Kind[] = [
  { name: 'RSS /feed.xml (prebuilt)', target: 10, path: () => '/feed.xml' },
  { name: 'Atom /atom.xml (prebuilt)', target: 10, path: () => '/atom.xml' },
  { name: 'JSON /feed.json (prebuilt)', target: 10, path: () => '/feed.json' },
  { name: 'tag feed (prebuilt)', target: 10, path: (p) => p.tagFeed },
  { name: 'article page', target: 10, path: (p) => p.article },
  { name: 'oldest archive page (RSS)', target: 20, path: (p) => p.oldest },
  { name: 'sparse tag archive page (RSS)', target: 20, path: (p) => p.sparse },
]

interface Sample {
  /** JavaScript and V8 ms of the isolate (V8 profile, waits excluded: see busyMs). */
  js: number
  program: number
  /** The profile's plain sum of time deltas, which counts awaited reads as CPU. */
  naive: number
  /** workerd's main thread, profiler off: an upper bound (it also runs the asset binding's worker). */
  thread: number
}

export interface CpuResult {
  articles: number
  /** Per kind: median total (js + program), its parts, the naive sum and thread CPU, and every start's total. */
  kinds: { kind: Kind; path: string; total: number; js: number; program: number; naive: number; thread: number; all: number[] }[]
}

/** The href of an RSS feed's paging link (`<atom:link rel="…">`), unescaped. */
function pageLink(rss: string, rel: 'last' | 'next'): string | undefined {
  const tag = new RegExp(`<[^>]*\\brel="${rel}"[^>]*>`).exec(rss)?.[0]
  return tag && /href="([^"]+)"/.exec(tag)?.[1]?.replace(/&amp;/g, '&')
}

/** The URLs to measure, found on a warm server: a tag feed from the OPML, the oldest page from rel="last". */
async function pathsOf(ws: BenchWorkspace): Promise<Paths> {
  const server = await startHerald(ws.bundle, ws.archive)
  try {
    const opml = await (await fetchAgain(`${server.origin}/feeds.opml`)).text()
    const tagFeed = [...opml.matchAll(/xmlUrl="([^"]+)"/g)].map((m) => new URL(m[1]!).pathname).find((p) => p.startsWith('/tags/') && p.endsWith('/feed.xml'))
    const rss = await (await fetchAgain(`${server.origin}/feed.xml`)).text()
    const last = pageLink(rss, 'last')
    if (!tagFeed || !last) throw new Error('cpu: no tag feed in /feeds.opml or no rel="last" in /feed.xml')
    // The tag with the fewest stories that still fill more than a page (the manifest says how many).
    const manifest = JSON.parse(readFileSync(join(ws.archive, 'manifest.json'), 'utf8')) as { listings: { kind: string; slug: string; count: number }[] }
    const sparsest = manifest.listings.filter((l) => l.kind === 'tag' && l.count > Number(VARS.FEED_SIZE)).sort((a, b) => a.count - b.count)[0]
    const next = sparsest && pageLink(await (await fetchAgain(`${server.origin}/tags/${sparsest.slug}/feed.xml`)).text(), 'next')
    if (!next) throw new Error('cpu: no tag with a second feed page in the archive')
    const sparse = new URL(next).pathname + new URL(next).search
    return { tagFeed, oldest: new URL(last).pathname + new URL(last).search, sparse, article: `/articles/bench-${Math.floor(ws.articles / 3)}` }
  } finally {
    await server.stop()
  }
}

async function firstRequest(ws: BenchWorkspace, path: string, inspect: boolean): Promise<{ busy?: ReturnType<typeof busyMs>; thread: number }> {
  const server = await startHerald(ws.bundle, ws.archive, { inspect })
  try {
    let status = 0
    let thread = NaN
    const request = async () => {
      const before = workerdThreadMs()
      const res = await fetchAgain(server.origin + path)
      await res.arrayBuffer()
      const after = workerdThreadMs()
      status = res.status
      if (before !== undefined && after !== undefined) thread = after - before
    }
    if (!inspect) {
      await request()
      if (status !== 200) throw new Error(`cpu: first ${path} answered ${status}`)
      return { thread }
    }
    const profile = await profiled(server.inspector!, request)
    if (status !== 200) throw new Error(`cpu: first ${path} answered ${status}`)
    if (TOP > 0) console.log(`cpu: first ${path}\n${topSelf(profile, TOP).join('\n')}`)
    if (SAVE) {
      mkdirSync(SAVE, { recursive: true })
      const name = `${ws.articles}-${path.replace(/[^\w.-]+/g, '_')}`
      let n = 0
      while (existsSync(join(SAVE, `${name}-${n}.cpuprofile`))) n++
      writeFileSync(join(SAVE, `${name}-${n}.cpuprofile`), JSON.stringify(profile))
    }
    return { busy: busyMs(profile), thread }
  } finally {
    await server.stop()
  }
}

async function firstRequestCpu(ws: BenchWorkspace, path: string): Promise<Sample> {
  const { busy } = await firstRequest(ws, path, true)
  const { thread } = await firstRequest(ws, path, false)
  return { ...busy!, thread }
}

export async function cpuBench(ws: BenchWorkspace): Promise<CpuResult> {
  const paths = await pathsOf(ws)
  const runs = new Map<Kind, Sample[]>(KINDS.map((k) => [k, []]))
  // Kinds alternate within each round, so a noisy minute falls on all of them.
  for (let i = 0; i < STARTS; i++) {
    for (const kind of KINDS) {
      runs.get(kind)!.push(await firstRequestCpu(ws, kind.path(paths)))
      progress(`cpu ${ws.articles}: start ${i + 1}/${STARTS}, ${kind.name}`)
    }
  }
  const kinds = KINDS.map((kind) => {
    const xs = runs.get(kind)!
    const of = (f: (x: Sample) => number) => median(xs.map(f))
    return { kind, path: kind.path(paths), total: of((x) => x.js + x.program), js: of((x) => x.js), program: of((x) => x.program), naive: of((x) => x.naive), thread: of((x) => x.thread), all: xs.map((x) => x.js + x.program) }
  })
  progressDone()
  console.log(`cpu ${ws.articles}: ${kinds.map((k) => `${k.kind.name} ${fmt(k.total, 1)} ms`).join(', ')}`)
  return { articles: ws.articles, kinds }
}

/**
 * The measure checked against what it claims: a worker that awaits a timer costs next to nothing,
 * one that spins costs its spin, whichever way it is counted. Median of CALIBRATION_RUNS requests each.
 */
export interface Calibration {
  name: string
  busy: number
  naive: number
  thread: number
}

const CALIBRATION_WORKER = `export default { async fetch(request) {
  const q = new URL(request.url).searchParams
  let x = 0
  for (let i = 0; i < Number(q.get('spin') ?? 0); i++) x += Math.sqrt(i)
  await new Promise((resolve) => setTimeout(resolve, Number(q.get('wait') ?? 0)))
  return new Response(String(x))
} }`

export async function calibrate(dir: string): Promise<Calibration[]> {
  const server = await startScript(dir, 'calibration', CALIBRATION_WORKER)
  try {
    const out: Calibration[] = []
    for (const [name, query] of [['awaits a 50 ms timer', 'wait=50'], ['spins ~10 ms, then awaits 50 ms', 'spin=100000&wait=50'], ['spins ~10 ms', 'spin=100000']] as const) {
      const xs: Calibration[] = []
      for (let i = 0; i < 5; i++) {
        let thread = NaN
        const profile = await profiled(server.inspector!, async () => {
          await (await fetchAgain(`${server.origin}/?${query}&run=${i}`)).text()
        })
        const before = workerdThreadMs()
        await (await fetchAgain(`${server.origin}/?${query}&again=${i}`)).text()
        const after = workerdThreadMs()
        if (before !== undefined && after !== undefined) thread = after - before
        const b = busyMs(profile)
        xs.push({ name, busy: b.js + b.program, naive: b.naive, thread })
      }
      out.push({ name, busy: median(xs.map((x) => x.busy)), naive: median(xs.map((x) => x.naive)), thread: median(xs.map((x) => x.thread)) })
    }
    return out
  } finally {
    await server.stop()
  }
}

export function cpuMarkdown(results: CpuResult[], calibration: Calibration[]): string {
  const rows = KINDS.flatMap((kind) =>
    results.map((r) => {
      const k = r.kinds.find((x) => x.kind === kind)!
      const verdict = k.total <= kind.target ? 'met' : `missed by ${fmt(k.total - kind.target, 1)} ms`
      return [
        kind.name,
        r.articles.toLocaleString('en'),
        `**${fmt(k.total, 1)}**`,
        `${fmt(Math.min(...k.all), 1)}–${fmt(Math.max(...k.all), 1)}`,
        `${fmt(k.js, 1)} / ${fmt(k.program, 1)}`,
        fmt(k.naive, 1),
        fmt(k.thread, 1),
        `≤ ${kind.target}`,
        verdict,
      ]
    }),
  )
  return [
    `A V8 CPU profile of the Worker's isolate over DevTools (100 µs sampling, idle excluded) around the first request of a`,
    `freshly started workerd (the global scope has run; the archive's manifest has not been read); median of ${STARTS} starts, min–max`,
    'beside it. "V8" is time outside JavaScript (lazy compilation of the bundle\'s functions, parsing, native calls).',
    'V8 takes no sample while the isolate awaits (workerd unlocks it), and the first sample after an await carries the',
    'whole wait in its time delta; so each sample counts for at most 0.5 ms, five sampling periods (bench/lib/profile.ts `busyMs`).',
    '"Sum of deltas" is the profile\'s plain total, which counts the archive reads\' waits as CPU (how this table was made',
    'before). "Thread" is the kernel\'s CPU time of workerd\'s main thread around the same first request with no profiler,',
    'an upper bound: that thread also runs the asset binding\'s worker and Miniflare\'s HTTP handling.',
    `The article is bench-${'{n/3}'}; the oldest archive page is /feed.xml's rel="last"; the sparse tag page is the rel="next" of the`,
    'tag with the fewest stories that fill more than one page (its 50 stories lie in some 60 story blocks at 10,000 and 100,000).',
    '',
    table(['URL kind', 'articles', 'first-request CPU ms (median)', 'min–max', 'JS / V8 ms', 'sum of deltas ms', 'thread ms', 'target ms', 'target'], rows),
    '',
    'The measure checked on a one-line worker (median of 5 requests each):',
    '',
    table(['calibration worker', 'CPU ms (as above)', 'sum of deltas ms', 'thread ms'], calibration.map((c) => [c.name, fmt(c.busy, 1), fmt(c.naive, 1), fmt(c.thread, 1)])),
  ].join('\n')
}
