/**
 * The build: `npm run build`'s command from nothing (no cache, no archive) against Hugo building
 * the same articles (bench/lib/hugo.ts) in the same rounds, whose order rotates; then rebuilds
 * from the cache after one edit and after none; then `npm run dev`: start to the first 200 of
 * /feed.xml with a warm cache, and an edit's way to /feed.xml. Wall time and peak RSS of each
 * whole process from GNU time (`%e %M`: the largest process of the tree, build threads included);
 * medians over the rounds, ratios pair by pair within a round.
 */
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '../tests/node/helpers/dev-server'
import { ensureDebianPackage } from './lib/apt'
import { ensureHugo, hugoSites } from './lib/hugo'
import { fmt, median, table } from './lib/stats'
import { BUILD_COMMAND as BUILD, type BenchWorkspace } from './lib/workspace'

const TIME = '/usr/bin/time'

interface Run {
  seconds: number
  rssMb: number
}

/** One run of a whole process under GNU time. */
function timed(argv: readonly string[], cwd: string, env: Record<string, string> = {}): Run {
  const out = mkdtempSync(join(tmpdir(), 'herald-time-'))
  try {
    execFileSync(TIME, ['-f', '%e %M', '-o', join(out, 't'), ...argv], { cwd, stdio: 'pipe', env: { ...process.env, CI: 'true', ...env }, maxBuffer: 64 << 20 })
    const [seconds, kb] = readFileSync(join(out, 't'), 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number)
    return { seconds: seconds!, rssMb: kb! / 1024 }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

/**
 * Reads every file under `dir`, so that a build's sources are in the page cache when it starts, as
 * after a checkout. This machine's kernel reclaims pages unused for a while (kdamond): a source
 * read from disk cost Hugo's RSS-only build at 100,000 21–27 s instead of 11–12 s, and which runs
 * found their sources still cached was chance. Each clean build, Herald's and Hugo's, starts warm.
 */
function warm(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) warm(path)
    else if (entry.isFile()) readFileSync(path)
  }
}

export interface BuildResult {
  articles: number
  clean: Run[]
  /** The clean build with four build threads, as a machine of 4 cores or more runs it: its peak is the one the 1 GB target must hold for. */
  clean4: Run[]
  hugoRss: Run[]
  hugoFull: Run[]
  edit: Run[]
  noChange: Run[]
  devStart: number[]
  devVisible: number[]
}

const say = (line: string) => process.stdout.isTTY && !process.env.CI && console.log(line)

/** The newest article's module and its text, to edit and restore. */
function newest(ws: BenchWorkspace): { file: string; text: string; edited: (marker: string) => string } {
  const i = ws.articles - 1
  const file = join(ws.root, 'content/articles', `bench-${i}.ts`)
  const text = readFileSync(file, 'utf8')
  // One word of the headline: it is in every first feed page the story is on, so /feed.xml shows it.
  return { file, text, edited: (marker) => text.replace(`"headline": "Bench story ${i}:`, `"headline": "Bench story ${i} ${marker}:`) }
}

async function devRun(ws: BenchWorkspace, edits: number, port: number): Promise<{ start: number; visible: number[] }> {
  const url = `http://127.0.0.1:${port}/feed.xml`
  const started = performance.now()
  const dev = spawn('npm', ['run', 'dev', '--', '--port', String(port), '--log-level', 'error', '--show-interactive-dev-session=false'], {
    cwd: ws.root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  })
  let output = ''
  dev.stdout!.on('data', (d) => (output += d))
  dev.stderr!.on('data', (d) => (output += d))
  const poll = async (until: (body: string) => boolean, limitMs: number) => {
    const deadline = performance.now() + limitMs
    for (;;) {
      if (dev.exitCode !== null) throw new Error(`npm run dev exited with ${dev.exitCode}:\n${output}`)
      if (performance.now() > deadline) throw new Error(`npm run dev: ${url} not as expected within ${limitMs / 1000} s:\n${output.slice(-2000)}`)
      try {
        const res = await fetch(url)
        const body = await res.text()
        if (res.status === 200 && until(body)) return
      } catch {
        // not listening yet, or reloading
      }
      await new Promise((r) => setTimeout(r, 50))
    }
  }
  const article = newest(ws)
  try {
    await poll(() => true, 300_000)
    const start = (performance.now() - started) / 1000
    const visible: number[] = []
    for (let k = 0; k < edits; k++) {
      const marker = `dev-edit-${Date.now().toString(36)}`
      const t0 = performance.now()
      writeFileSync(article.file, article.edited(marker))
      await poll((body) => body.includes(marker), 300_000)
      visible.push((performance.now() - t0) / 1000)
      say(`bench build: ${ws.articles}: dev edit ${k + 1}/${edits} visible after ${fmt(visible.at(-1)!, 2)} s`)
    }
    return { start, visible }
  } finally {
    writeFileSync(article.file, article.text)
    try {
      process.kill(-dev.pid!, 'SIGTERM')
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}

export async function buildBench(ws: BenchWorkspace, rounds: number): Promise<BuildResult> {
  ensureDebianPackage('time', TIME)
  ensureHugo()
  const n = ws.articles
  const sites = hugoSites(n)
  const result: BuildResult = { articles: n, clean: [], clean4: [], hugoRss: [], hugoFull: [], edit: [], noChange: [], devStart: [], devVisible: [] }
  const out = mkdtempSync(join(tmpdir(), 'herald-hugo-'))
  const hugo = (site: string, into: Run[]) => () => {
    rmSync(join(out, 'public'), { recursive: true, force: true })
    warm(join(site, 'content/'))
    into.push(timed(['hugo', '--quiet', '--source', site, '--destination', join(out, 'public')], site))
  }
  const clean = (into: Run[], env?: Record<string, string>) => () => {
    rmSync(join(ws.root, '.herald'), { recursive: true, force: true })
    warm(join(ws.root, 'content'))
    into.push(timed(BUILD, ws.root, env))
  }
  // Each step with the runs it adds to.
  const steps: [string, () => void, Run[]][] = [
    ['Herald clean build', clean(result.clean), result.clean],
    ['Hugo RSS only', hugo(sites.rss, result.hugoRss), result.hugoRss],
    ['Hugo RSS and HTML', hugo(sites.full, result.hugoFull), result.hugoFull],
    ['Herald clean build, 4 threads', clean(result.clean4, { HERALD_BUILD_THREADS: '4' }), result.clean4],
  ]
  try {
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < steps.length; k++) {
        const [label, step, runs] = steps[(r + k) % steps.length]!
        step()
        say(`bench build: ${n}: round ${r + 1}/${rounds}: ${label}: ${fmt(runs.at(-1)!.seconds, 2)} s`)
      }
    }
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
  // From the cache the last clean build left: one edit, then no change, alternately.
  const article = newest(ws)
  try {
    for (let r = 0; r < rounds; r++) {
      writeFileSync(article.file, article.edited(`edit-${r}`))
      result.edit.push(timed(BUILD, ws.root))
      result.noChange.push(timed(BUILD, ws.root))
      say(`bench build: ${n}: rebuild after one edit ${fmt(result.edit.at(-1)!.seconds, 2)} s, after none ${fmt(result.noChange.at(-1)!.seconds, 2)} s`)
    }
  } finally {
    writeFileSync(article.file, article.text)
  }
  // One port for every start: the feeds and feed items are prerendered for the dev server's origin,
  // so a warm cache is the last session's on the same port. A first session, not counted, warms it.
  const port = await freePort()
  await devRun(ws, 0, port)
  for (let r = 0; r < rounds; r++) {
    const dev = await devRun(ws, rounds, port)
    result.devStart.push(dev.start)
    result.devVisible.push(...dev.visible)
    say(`bench build: ${n}: npm run dev first 200 after ${fmt(dev.start, 2)} s`)
  }
  // Leave the workspace as the other sections expect it: the generated text, built for wrangler.toml's SITE_URL.
  execFileSync(BUILD[0]!, BUILD.slice(1), { cwd: ws.root, stdio: 'pipe', env: { ...process.env, CI: 'true' } })
  console.log(`bench build: ${n} articles: clean ${fmt(median(result.clean.map((x) => x.seconds)), 1)} s, peak ${fmt(med(result.clean, 'rssMb'))} MB (4 threads: ${fmt(med(result.clean4, 'rssMb'))} MB) (Hugo RSS only ${fmt(median(result.hugoRss.map((x) => x.seconds)), 1)} s), one edit ${fmt(median(result.edit.map((x) => x.seconds)), 2)} s, dev edit visible ${fmt(median(result.devVisible), 2)} s`)
  return result
}

const med = (runs: Run[], key: keyof Run) => median(runs.map((r) => r[key]))
/** Median of A/B within each round. */
const ratio = (a: Run[], b: Run[]) => median(a.map((x, i) => x.seconds / b[i]!.seconds))
const span = (xs: number[], digits: number) => `${fmt(median(xs), digits)} (${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)})`

export function buildMarkdown(results: BuildResult[], rounds: number, hugo: string): string {
  const n = (x: number) => x.toLocaleString('en-US')
  return [
    `Settings: ${rounds} rounds per size, the order of the four clean builds rotating each round; ${hugo}. Each figure is`,
    'the median (min–max) of its runs, wall seconds and peak RSS of the whole process from GNU time;',
    'ratios are the median of the pairwise ratio within a round. "Herald clean" is `npm run build`\'s command with no',
    '`.herald/` at all (no cache, no archive), with the build threads this machine picks; "4 threads" is the same with',
    'HERALD_BUILD_THREADS=4, as a machine of 4 cores or more builds (the most threads the build starts). "One edit"',
    'changes the newest article\'s headline (its block, and the first feed pages it is on) and rebuilds from the cache;',
    '"no change" rebuilds again. Every clean build, Herald\'s and Hugo\'s, starts with its sources read once (in the page',
    'cache, as after a checkout: this machine reclaims pages unused for a while, which made reads from disk a matter of chance).',
    '`npm run dev`: start to the',
    'first 200 of /feed.xml with a warm cache (the last session\'s, on the same port; one session first, not counted),',
    '(D1 migrations, build step, wrangler), and edit-to-visible: the',
    'headline edited on disk until /feed.xml on the dev server shows it, polled every 50 ms.',
    '',
    table(
      ['articles', 'Herald clean s', 'Herald clean RSS MB', '4 threads s', '4 threads RSS MB', 'Hugo RSS-only s', 'Hugo full s', 'Hugo full RSS MB', 'Herald ÷ Hugo RSS-only', 'Herald ÷ Hugo full'],
      results.map((r) => [n(r.articles), span(r.clean.map((x) => x.seconds), 2), fmt(med(r.clean, 'rssMb')), span(r.clean4.map((x) => x.seconds), 2), `${fmt(med(r.clean4, 'rssMb'))} (max ${fmt(Math.max(...r.clean4.map((x) => x.rssMb)))})`, span(r.hugoRss.map((x) => x.seconds), 2), span(r.hugoFull.map((x) => x.seconds), 2), fmt(med(r.hugoFull, 'rssMb')), `${fmt(ratio(r.clean, r.hugoRss), 2)}x`, `${fmt(ratio(r.clean, r.hugoFull), 2)}x`]),
    ),
    '',
    table(
      ['articles', 'rebuild after one edit s', 'its RSS MB', 'rebuild, no change s', 'one edit ÷ Hugo RSS-only', 'dev: first 200, warm cache s', 'dev: edit → visible in /feed.xml s'],
      results.map((r) => [n(r.articles), span(r.edit.map((x) => x.seconds), 2), fmt(med(r.edit, 'rssMb')), span(r.noChange.map((x) => x.seconds), 2), `${fmt(ratio(r.edit, r.hugoRss), 3)}x`, span(r.devStart, 2), span(r.devVisible, 2)]),
    ),
  ].join('\n')
}
