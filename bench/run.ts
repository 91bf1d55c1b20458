/**
 * `npm run bench`: serving (vs. a constant-string limit), generation (vs. minimal string
 * building) and scale (generated archives), written to bench/results.md. Ratios are measured in
 * one run on one machine; absolute numbers are context only.
 *
 * BENCH_SECONDS (per wrk run, default 4), BENCH_ROUNDS (default 7), BENCH_SCALES (default
 * "1000,10000,100000"), BENCH_ONLY (serve|generate|scale) adjust it.
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { generationBench } from './generate'
import { scaleBench } from './scale'
import { serveBench } from './serve'
import { benchWorkspace } from './lib/workspace'
import { ensureWrk } from './lib/wrk'

const seconds = Number(process.env.BENCH_SECONDS ?? 4)
const rounds = Number(process.env.BENCH_ROUNDS ?? 7)
const scales = (process.env.BENCH_SCALES ?? '1000,10000,100000').split(',').map(Number)
const only = process.env.BENCH_ONLY

ensureWrk()
// Always measure the code as it is now: no bundle from an earlier run survives.
rmSync('bench/work', { recursive: true, force: true })
mkdirSync('bench/work', { recursive: true })
const version = (cmd: string, args: string[]) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0]
  } catch {
    return 'unknown'
  }
}
const sections: string[] = [
  '# Herald benchmark results',
  '',
  `Run with \`npm run bench\` on ${new Date().toISOString()}.`,
  '',
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version};`,
  `${version('node_modules/.bin/workerd', ['--version'])}; ${version('wrk', ['--version'])}; wrangler ${version(process.execPath, ['node_modules/wrangler/bin/wrangler.js', '--version'])}.`,
  `Settings: ${seconds} s per wrk run, ${rounds} alternating rounds, 1 thread, 16 connections, 127.0.0.1 only; ${cpus().length >= 2 ? 'under load, every workerd on core 0 and wrk on core 1 (taskset)' : 'one core, shared by wrk and workerd'}.`,
  '',
]

const base = benchWorkspace(1000)
if (!only || only === 'serve') {
  console.log('bench: serving')
  const serve = await serveBench(base, { seconds, rounds })
  sections.push(
    '## 1. Serving (1,000-article archive, 50-item feeds)',
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
    '',
  )
}
if (!only || only === 'generate') {
  console.log('bench: generation')
  sections.push('## 2. Generation', '', await generationBench(), '')
}
if (!only || only === 'scale') {
  console.log('bench: scale')
  sections.push('## 3. Scale', '', await scaleBench(scales, { seconds: Math.max(2, seconds / 2), rounds }), '')
}
writeFileSync('bench/results.md', sections.join('\n') + '\n')
console.log(sections.join('\n'))
