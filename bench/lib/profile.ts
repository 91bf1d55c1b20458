/**
 * The Worker's isolate over the DevTools protocol: CPU profiles of single requests (what Cloudflare
 * bills and limits as "CPU time", without the wall time spent waiting on reads or on the network,
 * as `wrangler check startup` does for the global scope), and its heap after a forced GC.
 */
import { readFileSync } from 'node:fs'

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[]
  samples: number[]
  timeDeltas: number[]
}

/** The most one sample may count for, µs (see busyMs). */
export const SAMPLE_CAP_US = 500

/**
 * Milliseconds of the isolate's CPU in JavaScript and in V8 itself ("(program)"), idle excluded.
 *
 * Each sample's time delta is the wall time since the sample before it. V8 takes no sample while
 * the isolate is unlocked (workerd unlocks it while a request awaits a read or a timer), so the
 * first sample after an await carries the whole wait: summing deltas counts awaiting as CPU (the
 * bench's calibration worker shows it: a request that awaits a 50 ms timer "costs" ~50 ms). So a
 * sample stands for at most SAMPLE_CAP_US (five of the 100 µs periods asked for; on this machine
 * samples come every 170–190 µs): a sampler a little late still counts, a wait does not. A
 * sampler starved by a busy machine undercounts a little; the thread column bounds it from above.
 * `naive` is the plain sum, for comparison.
 */
export function busyMs(profile: CpuProfile): { js: number; program: number; naive: number } {
  const kind = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]))
  const busy = profile.samples.map((id, i) => ({ name: kind.get(id), dt: profile.timeDeltas[i] ?? 0 })).filter((s) => s.name !== '(idle)')
  let js = 0
  let program = 0
  let naive = 0
  for (const { name, dt } of busy) {
    naive += dt
    if (name === '(program)') program += Math.min(dt, SAMPLE_CAP_US)
    else js += Math.min(dt, SAMPLE_CAP_US)
  }
  return { js: js / 1000, program: program / 1000, naive: naive / 1000 }
}

/**
 * CPU time of workerd's main thread (where every isolate of a Miniflare runs: Herald's, the asset
 * binding's and Miniflare's own), in ms, from the kernel's per-thread accounting
 * (/proc/<pid>/task/<pid>/schedstat, nanoseconds). Around one request with no profiler attached,
 * an upper bound of what the request cost Herald's isolate. Undefined off Linux.
 */
export function workerdThreadMs(parent = process.pid): number | undefined {
  try {
    const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)
    for (const pid of children) {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'workerd') continue
      return Number(readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
    }
  } catch {
    // not Linux, or the process is gone
  }
  return undefined
}

export interface DevTools {
  send: (method: string, params?: Record<string, unknown>) => Promise<unknown>
  close: () => void
}

/** A DevTools session with the isolate at `inspector`. */
export async function devtools(inspector: URL): Promise<DevTools> {
  const ws = new WebSocket(inspector.href.replace(/^http/, 'ws'))
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true })
    ws.addEventListener('error', () => reject(new Error(`inspector ${inspector.href}: could not connect`)), { once: true })
  })
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (err: Error) => void }>()
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } }
    if (message.id === undefined) return
    const p = pending.get(message.id)
    pending.delete(message.id)
    if (message.error) p?.reject(new Error(`DevTools: ${message.error.message}`))
    else p?.resolve(message.result)
  })
  let next = 1
  return {
    send: (method, params = {}) =>
      new Promise<unknown>((resolve, reject) => {
        const id = next++
        pending.set(id, { resolve, reject })
        ws.send(JSON.stringify({ id, method, params }))
      }),
    close: () => ws.close(),
  }
}

/** Runs `during` with the isolate's CPU profiler on, and returns the profile. */
export async function profiled(inspector: URL, during: () => Promise<void>): Promise<CpuProfile> {
  const session = await devtools(inspector)
  try {
    await session.send('Profiler.enable')
    // The finest interval V8 allows here; a first request is tens of milliseconds.
    await session.send('Profiler.setSamplingInterval', { interval: 100 })
    await session.send('Profiler.start')
    await during()
    const { profile } = (await session.send('Profiler.stop')) as { profile: CpuProfile }
    return profile
  } finally {
    session.close()
  }
}

/** What `Runtime.getHeapUsage` answers: V8's JS heap, and (newer V8) the embedder heap and ArrayBuffer backing stores. */
export interface HeapUsage {
  usedSize: number
  totalSize: number
  embedderHeapUsedSize?: number
  backingStorageSize?: number
}

/**
 * The isolate's heap after a full garbage collection. workerd runs the GC that
 * `HeapProfiler.collectGarbage` asks for as a task on the isolate, which only runs when the isolate
 * next takes a request: `nudge` sends one (a small constant response).
 */
export async function heapAfterGc(session: DevTools, nudge: () => Promise<void>): Promise<HeapUsage> {
  const collected = session.send('HeapProfiler.collectGarbage')
  await new Promise((resolve) => setTimeout(resolve, 20))
  let answered = false
  void collected.then(() => (answered = true))
  for (let i = 0; i < 50 && !answered; i++) {
    await nudge()
    await Promise.race([collected, new Promise((resolve) => setTimeout(resolve, 100))])
  }
  if (!answered) throw new Error('HeapProfiler.collectGarbage did not answer')
  return (await session.send('Runtime.getHeapUsage')) as HeapUsage
}

/**
 * The functions with the most self time in a profile, for finding what a first request spends
 * (`BENCH_CPU_TOP=N npm run bench -- cpu`): name, script position and ms.
 */
export function topSelf(profile: CpuProfile, n: number): string[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const self = new Map<string, number>()
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id)?.callFrame as { functionName: string; url?: string; lineNumber?: number; columnNumber?: number } | undefined
    if (!frame || frame.functionName === '(idle)') return
    const where = `${frame.functionName || '(anonymous)'} ${frame.url?.split('/').pop() ?? ''}:${(frame.lineNumber ?? 0) + 1}:${(frame.columnNumber ?? 0) + 1}`
    // Waits capped as busyMs caps them.
    self.set(where, (self.get(where) ?? 0) + Math.min(profile.timeDeltas[i] ?? 0, SAMPLE_CAP_US) / 1000)
  })
  return [...self].sort((a, b) => b[1] - a[1]).slice(0, n).map(([where, ms]) => `${ms.toFixed(2).padStart(6)} ms  ${where}`)
}
