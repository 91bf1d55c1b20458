/**
 * `npm run bench`: serving (vs. a constant-bytes limit), generation (vs. minimal string
 * building), scale (generated archives), first-request CPU per kind of URL, the crawl with its
 * heap curve, and the build (clean and incremental, against Hugo; `npm run dev` edit to visible),
 * written to bench/results.md. Ratios are measured in one run on one machine;
 * absolute numbers are context only.
 *
 * `npm run bench -- crawl cpu` runs only the sections named (serve, generate, scale, cpu, crawl, build)
 * and replaces only theirs in bench/results.md; each section says when and how it was run.
 * BENCH_SECONDS (per wrk run, default 4), BENCH_ROUNDS (default 7), BENCH_SCALES (default
 * "1000,10000,100000"), BENCH_CPU_STARTS (default 5), BENCH_BUILD_ROUNDS (default 3) adjust it. Workspaces under bench/work/ are
 * reused only when they were built from the code as it is now.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { buildBench, buildMarkdown } from './build'
import { calibrate, cpuBench, cpuMarkdown } from './cpu'
import { crawl, crawlMarkdown } from './crawl'
import { generationBench } from './generate'
import { scaleBench } from './scale'
import { serveBench } from './serve'
import { fmt } from './lib/stats'
import { benchWorkspace } from './lib/workspace'
import { ensureWrk } from './lib/wrk'
import { ensureHugo, hugoVersion } from './lib/hugo'

const SECTIONS = ['serve', 'generate', 'scale', 'cpu', 'crawl', 'build'] as const
type Section = (typeof SECTIONS)[number]
const seconds = Number(process.env.BENCH_SECONDS ?? 4)
const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const scales = (process.env.BENCH_SCALES ?? '1000,10000,100000').split(',').map(Number)
const asked = [...process.argv.slice(2), ...(process.env.BENCH_ONLY ? [process.env.BENCH_ONLY] : [])]
for (const a of asked) if (!(SECTIONS as readonly string[]).includes(a)) throw new Error(`npm run bench: unknown section "${a}" (${SECTIONS.join(', ')})`)
const only = new Set<Section>(asked.length ? (asked as Section[]) : SECTIONS)

ensureWrk()
mkdirSync('bench/work', { recursive: true })
const version = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0]
  } catch {
    return 'unknown'
  }
}
const env = ['BENCH_SECONDS', 'BENCH_ROUNDS', 'BENCH_SCALES', 'BENCH_CPU_STARTS', 'BENCH_BUILD_ROUNDS'].filter((k) => process.env[k]).map((k) => `${k}=${process.env[k]} `).join('')
const ran = (name: Section) =>
  [
    `Run with \`${env}npm run bench -- ${name}\` on ${new Date().toISOString()} at commit ${version('git', ['rev-parse', '--short', 'HEAD'])}${version('git', ['status', '--porcelain', '--', 'src', 'scripts', 'bench', ':!bench/results.md']) === '' ? '' : ' (with uncommitted changes)'}: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version};`,
    `${version('node_modules/.bin/workerd', ['--version'])}; ${version('wrk', ['--version'])}; wrangler ${version(process.execPath, ['node_modules/wrangler/bin/wrangler.js', '--version'])}.`,
    '',
  ].join('\n')
const settings = `Settings: ${seconds} s per wrk run, ${rounds} alternating rounds, 1 thread, 16 connections, 127.0.0.1 only; ${cpus().length >= 2 ? 'under load, every workerd on core 0 and wrk on core 1 (taskset)' : 'one core, shared by wrk and workerd'}.`

/** bench/results.md as blocks by section, so a run of some sections keeps the others' last results. */
const RESULTS = 'bench/results.md'
const blocks = new Map<Section, string>()
if (existsSync(RESULTS)) {
  for (const part of readFileSync(RESULTS, 'utf8').split(/^<!-- bench:/m).slice(1)) {
    const name = part.slice(0, part.indexOf(' -->')) as Section
    if ((SECTIONS as readonly string[]).includes(name)) blocks.set(name, part.slice(part.indexOf('-->\n') + 4).trimEnd())
  }
}
const save = () => {
  const out = ['# Herald benchmark results', '', 'Each section was last run as its first line says; `npm run bench` runs them all, `npm run bench -- <section>` one.', '']
  for (const name of SECTIONS) if (blocks.has(name)) out.push(`<!-- bench:${name} -->`, blocks.get(name)!, '')
  writeFileSync(RESULTS, out.join('\n'))
}

const base = benchWorkspace(1000)
if (only.has('serve')) {
  console.log('bench: serving')
  const serve = await serveBench(base, { seconds, rounds })
  blocks.set('serve', [
    '## 1. Serving (1,000-article archive, 50-item feeds)',
    '',
    ran('serve'),
    settings,
    '',
    'Server: workerd via Miniflare with direct sockets (no wrangler dev proxy). The limit is a worker whose',
    'response is a module-level constant with the same body and headers as Herald\'s, encoded to bytes once at',
    'startup (a string body is re-encoded on every request, which Herald does not do). Two pairs, each',
    'alternating A/B in every round (who goes first rotates):',
    '',
    '- **assets router**: Herald as deployed, with its archive as static assets. Miniflare routes a worker',
    '  with assets through two extra local workers (its assets RPC proxy and router) even on a direct socket,',
    '  so the limit gets the same assets and the same hops.',
    '- **direct**: no router in front of either. Herald reads its archive through a service binding to a',
    '  second worker that holds the files (a memoised request reads nothing); the limit is bare.',
    '',
    'Ratio = median over rounds of (Herald req/s ÷ limit req/s in the same round); 1.00x = the cost of sending constant bytes.',
    '',
    serve.markdown,
  ].join('\n'))
  save()
}
if (only.has('generate')) {
  console.log('bench: generation')
  blocks.set('generate', ['## 2. Generation', '', ran('generate'), await generationBench()].join('\n'))
  save()
}
if (only.has('scale')) {
  console.log('bench: scale')
  blocks.set('scale', ['## 3. Scale', '', ran('scale'), settings.replace(`${seconds} s`, `${Math.max(2, seconds / 2)} s`), '', await scaleBench(scales, { seconds: Math.max(2, seconds / 2), rounds })].join('\n'))
  save()
}
if (only.has('cpu')) {
  console.log('bench: first-request CPU')
  const results = []
  const calibration = await calibrate('bench/work')
  console.log(`cpu calibration: ${calibration.map((c) => `${c.name}: ${fmt(c.busy, 1)} ms (sum of deltas ${fmt(c.naive, 1)}, thread ${fmt(c.thread, 1)})`).join('; ')}`)
  for (const n of scales) results.push(await cpuBench(benchWorkspace(n)))
  blocks.set('cpu', ['## 4. First-request CPU per kind of URL', '', ran('cpu'), cpuMarkdown(results, calibration)].join('\n'))
  save()
}
if (only.has('crawl')) {
  console.log('bench: crawl')
  const results = []
  for (const n of scales) results.push(await crawl(benchWorkspace(n)))
  blocks.set('crawl', ['## 5. A crawler on one isolate: heap after GC', '', ran('crawl'), crawlMarkdown(results)].join('\n'))
  save()
}
if (only.has('build')) {
  console.log('bench: build')
  ensureHugo()
  const buildRounds = Number(process.env.BENCH_BUILD_ROUNDS ?? 3)
  const results = []
  for (const n of scales) results.push(await buildBench(benchWorkspace(n), buildRounds))
  blocks.set('build', ['## 6. The build: clean and incremental, against Hugo; `npm run dev` edit to visible', '', ran('build'), buildMarkdown(results, buildRounds, hugoVersion())].join('\n'))
  save()
}
console.log(readFileSync(RESULTS, 'utf8'))
