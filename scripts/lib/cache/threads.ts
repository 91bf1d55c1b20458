/**
 * Processes the article files the cache does not know, on the machine's cores: in this thread for
 * a few files (an edit), in worker threads for many (a clean build). A thread runs a bundle of
 * worker.ts that esbuild makes once per code hash, so no TypeScript loader starts per thread.
 */
import { build } from 'esbuild'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { Content } from '../../../src/content/article'
import type { CacheStore } from './store'
import { runJob, type Rerender, type Rerendered, type Result } from './job'
import type { RenderTarget } from './stories'

/**
 * A thread streams: it holds one batch of articles at a time. Without a limit of its own it would
 * inherit the build's heap cap and collect garbage late, and two threads would pass the 1 GB the
 * clean build of 100,000 articles is meant to stay under. The young generation is 96 MB, not 32:
 * a clean build of 10,000 took 8.6–8.8 s instead of 8.9–9.3 s, at 510–528 MB of RSS
 * instead of 439–441; at 100,000 the peak was no higher (32, 64, 96 MB: 902, 846, 841 MB).
 */
const THREAD_LIMITS = { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 96 }

/** Below this many files, threads cost more to start than they save. */
export const THREADED_FROM = 400

function threadCount(files: number): number {
  const asked = Number(process.env.HERALD_BUILD_THREADS)
  if (Number.isInteger(asked) && asked >= 0) return files < 2 ? 0 : asked
  return files < THREADED_FROM ? 0 : Math.min(4, availableParallelism())
}

async function workerBundle(cache: CacheStore): Promise<string> {
  const out = join(cache.dir, `worker-${cache.code}.mjs`)
  if (!existsSync(out)) {
    const tmp = `${out}.${process.pid}.tmp.mjs`
    await build({
      entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'worker.ts')],
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      // The bundle lives in .herald/cache/: packages resolve from the checkout's node_modules.
      packages: 'external',
      outfile: tmp,
      logLevel: 'silent',
    })
    const { renameSync } = await import('node:fs')
    renameSync(tmp, out)
  }
  return out
}

/**
 * A thread's result with its pack name and origin as the strings the build already holds: a
 * message's strings arrive as copies of their own, and a clean build keeps 300,000 places.
 */
const known = new Map<string, string>()
const one = (s: string) => known.get(s) ?? (known.set(s, s), s)
function shared<R extends Result | Rerendered>(r: R): R {
  for (const place of [(r as Result).place, (r as Result).page, r.items?.place]) if (place) place.pack = one(place.pack)
  if (r.items) r.items.origin = one(r.items.origin)
  return r
}

/**
 * Processes `files` and renders the feed items of the cached stories in `rerender` for
 * `render.origin`, handing each result on (in no particular order) as it is ready.
 */
export async function processAll(
  root: string,
  files: readonly string[],
  rerender: readonly Rerender[],
  config: Content,
  cache: CacheStore,
  render: RenderTarget,
  each: (r: Result | Rerendered) => void,
): Promise<void> {
  const threads = threadCount(files.length + rerender.length)
  const run = `${Date.now().toString(36)}-${process.pid}`
  if (threads === 0) {
    const writer = cache.writer(`${run}-0`)
    await runJob({ root, files, rerender, config, render, packDir: cache.packDir }, writer, each)
    writer.close()
    return
  }
  const bundle = await workerBundle(cache)
  // Contiguous slices: neighbouring files land in one pack, in the order a block reads them.
  const slice = <T>(list: readonly T[], t: number) => list.slice(Math.ceil((list.length * t) / threads), Math.ceil((list.length * (t + 1)) / threads))
  await Promise.all(
    Array.from({ length: threads }, (_, t) => ({ files: slice(files, t), rerender: slice(rerender, t) })).filter((job) => job.files.length + job.rerender.length > 0).map(
      (job, t) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(bundle, { workerData: { root, ...job, config, render, packDir: cache.packDir, pack: `${run}-${t}.jsonl` }, resourceLimits: THREAD_LIMITS })
          worker.on('message', (m: (Result | Rerendered)[] | 'done') => (m === 'done' ? resolve() : m.forEach((r) => each(shared(r)))))
          worker.on('error', reject)
          worker.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build thread ${t} exited with ${code}`))))
        }),
    ),
  )
}
