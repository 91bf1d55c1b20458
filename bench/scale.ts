/**
 * Scale: generated archives of increasing size, each built (`npm run build`: content check and
 * archive), bundled (`wrangler deploy --dry-run`) and served by workerd with its archive as the
 * ARCHIVE static assets. Measures what grows with the archive and what must not:
 * - deploy: bundle (raw, gzip), archive files and bytes against Cloudflare's limits, build time;
 * - startup: `wrangler check startup` on the bundle (CPU of the Worker's global scope);
 * - a new isolate: start → first 200, and the first request's latency for the main feed;
 * - per request: warm latency of the main feed, the oldest archive page and an article, and
 *   req/s of the warm main feed, A/B alternating across the archive sizes in one run.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { startDevServer } from '../tests/node/helpers/dev-server'
import { busyMs, profiled } from './lib/profile'
import { fetchAgain, startHerald, type Running } from './lib/servers'
import { fmt, median, table } from './lib/stats'
import { benchWorkspace, type BenchWorkspace } from './lib/workspace'
import { wrk } from './lib/wrk'

const MiB = 2 ** 20
// Cloudflare's limits (developers.cloudflare.com/workers/platform/limits): script size after
// gzip 3 MiB (Free) / 10 MiB (Paid), 64 MiB before; static assets 20,000 files per version on
// Free (100,000 on Paid), 25 MiB per file.
const LIMITS = { gzipFree: 3 * MiB, raw: 64 * MiB, filesFree: 20_000, fileBytes: 25 * MiB }
const STARTS = 3
const WRANGLER = resolve('node_modules/wrangler/bin/wrangler.js')

async function timed(url: string): Promise<{ ms: number; status: number; text: string }> {
  const t0 = performance.now()
  const res = await fetchAgain(url)
  const text = await res.text()
  return { ms: performance.now() - t0, status: res.status, text }
}

/** CPU the Worker's global scope takes at startup, from `wrangler check startup`'s profile (ms, idle excluded). */
function startupCpuMs(ws: BenchWorkspace): number {
  const outfile = join(ws.root, 'startup.cpuprofile')
  try {
    execFileSync(process.execPath, [WRANGLER, 'check', 'startup', '--worker', join(ws.root, 'dist/worker.bundle'), '--outfile', outfile], { cwd: ws.root, stdio: 'pipe', env: { ...process.env, CI: 'true' } })
    const profile = JSON.parse(readFileSync(outfile, 'utf8')) as { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[]; timeDeltas: number[] }
    const idle = new Set(profile.nodes.filter((n) => ['(idle)', '(program)'].includes(n.callFrame.functionName)).map((n) => n.id))
    let busy = 0
    profile.samples.forEach((id, i) => (busy += idle.has(id) ? 0 : profile.timeDeltas[i] ?? 0))
    return busy / 1000
  } catch (err) {
    console.error(`scale: wrangler check startup failed: ${String(err).split('\n')[0]}`)
    return NaN
  } finally {
    rmSync(outfile, { force: true })
  }
}

/**
 * `wrangler dev` in the workspace, from spawn to the first 200 of /feed.json: what `npm run dev`
 * costs a newsroom engineer, its build step included (the archive is rebuilt from the modules).
 */
async function devStartToFirst(ws: BenchWorkspace): Promise<number> {
  const t0 = performance.now()
  try {
    const dev = await startDevServer({ cwd: ws.root, vars: { SITE_URL: 'http://localhost:8787' }, timeoutMs: 600_000, probe: '/feed.json' })
    const ms = performance.now() - t0
    await dev.stop()
    return ms
  } catch (err) {
    console.error(`scale: wrangler dev failed: ${String(err).split('\n')[0]}`)
    return NaN
  }
}

const WARM_REQUESTS = 200

/**
 * Worker CPU (JavaScript, and V8 itself: compiling, parsing), in ms: of the first request of a new
 * isolate for `path`, then per request over WARM_REQUESTS sequential warm requests (200 and, when
 * `conditional`, 304). The profiler's own sampling adds the same overhead at every size.
 */
async function requestCpu(ws: BenchWorkspace, path: string, conditional: boolean): Promise<{ first: Cpu; warm: number; notModified: number }> {
  const server = await startHerald(ws.bundle, ws.archive, { inspect: true })
  const get = async (headers: Record<string, string> = {}) => {
    const res = await fetchAgain(server.origin + path, { headers })
    await res.arrayBuffer()
    return res
  }
  const perRequest = async (headers: Record<string, string>, status: number) => {
    for (let i = 0; i < 20; i++) await get(headers)
    let wrong = 0
    const profile = await profiled(server.inspector!, async () => {
      for (let i = 0; i < WARM_REQUESTS; i++) if ((await get(headers)).status !== status) wrong++
    })
    if (wrong) throw new Error(`profiled warm ${path}: ${wrong} answers were not ${status}`)
    const cpu = busyMs(profile)
    return (cpu.js + cpu.program) / WARM_REQUESTS
  }
  try {
    let etag = ''
    const first = busyMs(
      await profiled(server.inspector!, async () => {
        const res = await get()
        if (res.status !== 200) throw new Error(`profiled first ${path} answered ${res.status}`)
        etag = res.headers.get('etag')!
      }),
    )
    const warm = await perRequest({}, 200)
    const notModified = conditional ? await perRequest({ 'If-None-Match': etag }, 304) : NaN
    return { first, warm, notModified }
  } finally {
    await server.stop()
  }
}

interface Cpu {
  js: number
  program: number
}

const medianCpu = (xs: Cpu[]): Cpu => ({ js: median(xs.map((x) => x.js)), program: median(xs.map((x) => x.program)) })

interface Measured {
  ws: BenchWorkspace
  devStart: number
  startup: number
  startToFirst: number
  firstFeed: number
  warmFeed: number
  firstOldest: number
  /** CPU of a new isolate's first /feed.json and first oldest archive page. */
  cpuFeed: Cpu
  cpuOldest: Cpu
  /** CPU per warm request (ms): the main feed, its 304, the oldest archive page. */
  warmCpu: { feed: number; notModified: number; oldest: number }
  warmOldest: number
  warmArticle: number
  oldestPath: string
  server: Running
}

async function measure(ws: BenchWorkspace): Promise<Measured> {
  const starts: { startToFirst: number; firstFeed: number }[] = []
  let server: Running | undefined
  // New isolates: each start is a deploy's first request.
  for (let i = 0; i < STARTS; i++) {
    if (server) await server.stop()
    const t0 = performance.now()
    server = await startHerald(ws.bundle, ws.archive)
    const first = await timed(`${server.origin}/feed.json`)
    if (first.status !== 200) throw new Error(`first /feed.json answered ${first.status}: ${first.text.slice(0, 200)}`)
    starts.push({ startToFirst: performance.now() - t0, firstFeed: first.ms })
  }
  const origin = server!.origin
  const warm: number[] = []
  for (let i = 0; i < 30; i++) warm.push((await timed(`${origin}/feed.json`)).ms)
  // The oldest archive page: the rel="last" link of the Atom feed.
  const atom = (await timed(`${origin}/atom.xml`)).text
  const last = /<link rel="last" href="([^"]+)"/.exec(atom)?.[1]?.replace(/&amp;/g, '&')
  if (!last) throw new Error('no rel="last" link in /atom.xml')
  const oldestPath = new URL(last).pathname + new URL(last).search
  const firstOldest = await timed(origin + oldestPath)
  const warmOldest: number[] = []
  for (let i = 0; i < 30; i++) warmOldest.push((await timed(origin + oldestPath)).ms)
  const article = `/articles/bench-${Math.floor(ws.articles / 3)}`
  const warmArticle: number[] = []
  for (let i = 0; i < 31; i++) warmArticle.push((await timed(origin + article)).ms)
  const feedCpu: Awaited<ReturnType<typeof requestCpu>>[] = []
  const oldestCpu: Awaited<ReturnType<typeof requestCpu>>[] = []
  for (let i = 0; i < STARTS; i++) {
    feedCpu.push(await requestCpu(ws, '/feed.json', true))
    oldestCpu.push(await requestCpu(ws, oldestPath, false))
  }
  return {
    ws,
    cpuFeed: medianCpu(feedCpu.map((c) => c.first)),
    cpuOldest: medianCpu(oldestCpu.map((c) => c.first)),
    warmCpu: {
      feed: median(feedCpu.map((c) => c.warm)),
      notModified: median(feedCpu.map((c) => c.notModified)),
      oldest: median(oldestCpu.map((c) => c.warm)),
    },
    devStart: await devStartToFirst(ws),
    startup: startupCpuMs(ws),
    startToFirst: median(starts.map((s) => s.startToFirst)),
    firstFeed: median(starts.map((s) => s.firstFeed)),
    warmFeed: median(warm),
    firstOldest: firstOldest.ms,
    warmOldest: median(warmOldest),
    warmArticle: median(warmArticle.slice(1)),
    oldestPath,
    server: server!,
  }
}

export async function scaleBench(sizes: number[], load: { seconds: number; rounds: number }): Promise<string> {
  const measured: Measured[] = []
  const failed: string[] = []
  try {
    for (const n of sizes) {
      console.log(`scale: ${n} articles: generating, building and bundling`)
      try {
        const m = await measure(benchWorkspace(n))
        measured.push(m)
        console.log(`scale: ${n}: build ${fmt(m.ws.buildSeconds, 1)} s, ${m.ws.archiveFiles} files, first feed ${fmt(m.firstFeed, 1)} ms, warm ${fmt(m.warmFeed, 2)} ms`)
      } catch (err) {
        failed.push(`${n.toLocaleString('en')}: ${String(err).split('\n')[0]}`)
        console.error(`scale: ${n} failed: ${String(err)}`)
      }
    }

    // Per-request cost across sizes, A/B/C alternating on servers that are all up at once.
    const routes = [
      { name: 'main feed /feed.xml', path: () => '/feed.xml' },
      { name: 'oldest archive page', path: (m: Measured) => m.oldestPath.replace('atom.xml', 'feed.xml') },
      { name: 'article page', path: (m: Measured) => `/articles/bench-${Math.floor(m.ws.articles / 3)}` },
      { name: '304 /feed.xml', path: () => '/feed.xml', conditional: true },
    ]
    const loadRows: (string | number)[][] = []
    for (const route of routes) {
      const rps = new Map<Measured, number[]>(measured.map((m) => [m, []]))
      const headers = new Map<Measured, Record<string, string>>()
      for (const m of measured) {
        const res = await fetchAgain(m.server.origin + route.path(m))
        await res.arrayBuffer()
        headers.set(m, route.conditional ? { 'If-None-Match': res.headers.get('etag')! } : {})
        wrk(m.server.origin + route.path(m), 1, headers.get(m)) // warm
      }
      for (let r = 0; r < load.rounds; r++) {
        // Rotated, not reversed: with three sizes, reversing keeps the middle one in the middle.
        for (let k = 0; k < measured.length; k++) {
          const m = measured[(k + r) % measured.length]!
          rps.get(m)!.push(wrk(m.server.origin + route.path(m), load.seconds, headers.get(m)).rps)
        }
      }
      const base = median(rps.get(measured[0]!)!)
      for (const m of measured) {
        const xs = rps.get(m)!
        loadRows.push([route.name, m.ws.articles.toLocaleString('en'), `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`, `**${fmt(median(xs) / base, 2)}x**`])
      }
      console.log(`scale: ${route.name}: ${measured.map((m) => `${m.ws.articles}: ${fmt(median(rps.get(m)!))} req/s`).join(', ')}`)
    }

    const deployRows = measured.map((m) => [
      m.ws.articles.toLocaleString('en'),
      `${fmt(m.ws.bundleBytes / 1024, 0)} / ${fmt(m.ws.bundleGzipBytes / 1024, 0)}`,
      `${fmt((100 * m.ws.bundleGzipBytes) / LIMITS.gzipFree, 1)}%`,
      m.ws.archiveFiles.toLocaleString('en'),
      `${fmt((100 * m.ws.archiveFiles) / LIMITS.filesFree, 1)}%`,
      fmt(m.ws.archiveBytes / MiB, 0),
      `${fmt(m.ws.largestFileBytes / 1024, 0)} KiB`,
      fmt(m.ws.buildSeconds, 1),
    ])
    const timeRows = measured.map((m) => [
      m.ws.articles.toLocaleString('en'),
      fmt(m.startup, 1),
      fmt(m.devStart / 1000, 1),
      fmt(m.startToFirst, 0),
      `**${fmt(m.firstFeed, 1)}**`,
      fmt(m.warmFeed, 2),
      fmt(m.firstOldest, 1),
      fmt(m.warmOldest, 2),
      fmt(m.warmArticle, 2),
    ])
    const base = measured[0]
    const warmCpuRows = measured.map((m) => {
      const cell = (k: keyof Measured['warmCpu']) => `${fmt(m.warmCpu[k], 3)} (**${fmt(m.warmCpu[k] / base!.warmCpu[k], 2)}x**)`
      return [m.ws.articles.toLocaleString('en'), cell('feed'), cell('notModified'), cell('oldest')]
    })
    return [
      'Generated archives (about 5 KB of Markdown per article, 40 topic and 7 region tags), each built by',
      '`npm run build` in its own copy of the project under bench/work/, bundled by `wrangler deploy --dry-run`, and',
      'served by workerd (Miniflare, direct sockets) with the archive as the ARCHIVE static assets.',
      '',
      '### Deploy',
      '',
      table(['articles', 'bundle KiB raw / gzip', 'of 3 MiB gzip (Free)', 'archive files', 'of 20,000 files (Free)', 'archive MiB', 'largest file (limit 25 MiB)', 'build s'], deployRows),
      '',
      '### A new isolate, and single requests (wall ms on 127.0.0.1)',
      '',
      `Startup = CPU of the Worker's global scope in \`wrangler check startup\`'s profile. \`wrangler dev\` start = spawning it in the`,
      'workspace (which runs the build step) until /feed.json answers 200. "Workerd start → first 200" and "first /feed.json"',
      `are medians over ${STARTS} fresh workerd starts; "first" is the first request of a new isolate (manifest, story blocks,`,
      'render, hash). Warm = median of 30 sequential requests.',
      '',
      table(['articles', 'startup CPU ms', '`wrangler dev` start → first 200 s (build included)', 'workerd start → first 200 ms', 'first /feed.json ms', 'warm /feed.json ms', 'first oldest page ms', 'warm oldest page ms', 'warm article ms'], timeRows),
      '',
      '### Worker CPU per warm request',
      '',
      'First-request CPU per kind of URL is section 4. Here: a V8 CPU profile of the Worker\'s isolate over DevTools (100 µs',
      'sampling, idle excluded), on an isolate that has answered the URL once.',
      '',
      `CPU per request over ${WARM_REQUESTS} sequential warm requests (profile total ÷ ${WARM_REQUESTS}; median of`,
      `${STARTS} isolates; the ratio is to the ${base?.ws.articles.toLocaleString('en')}-article archive, 1.00x = no growth). These include the`,
      'profiler\'s own cost and the native time of writing the response (a 250 KiB body), so compare them across sizes,',
      'not with req/s under load:',
      '',
      table(['articles', 'warm /feed.json CPU ms per request', '304 /feed.json CPU ms per request', 'warm oldest page CPU ms per request'], warmCpuRows),
      '',
      '### Per-request cost under load, across sizes',
      '',
      `wrk, 1 thread, 16 connections, ${load.seconds} s per run, ${load.rounds} rounds alternating across the sizes (servers up at once).`,
      `Ratio = median req/s ÷ that of the ${measured[0]?.ws.articles.toLocaleString('en')}-article archive (1.00x = no growth).`,
      '',
      table(['route', 'articles', 'req/s median (min–max)', 'vs. smallest'], loadRows),
      ...(failed.length ? ['', `Failed: ${failed.join('; ')}`] : []),
    ].join('\n')
  } finally {
    for (const m of measured) await m.server.stop()
  }
}
