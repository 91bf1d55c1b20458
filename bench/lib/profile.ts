/**
 * The Worker's isolate over the DevTools protocol: CPU profiles of single requests (what Cloudflare
 * bills and limits as "CPU time", without the wall time spent waiting on reads or on the network,
 * as `wrangler check startup` does for the global scope), and its heap after a forced GC.
 */

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[]
  samples: number[]
  timeDeltas: number[]
}

/** Milliseconds of samples in JavaScript and in V8 itself ("(program)"), idle excluded. */
export function busyMs(profile: CpuProfile): { js: number; program: number } {
  const kind = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]))
  let js = 0
  let program = 0
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0
    const name = kind.get(id)
    if (name === '(idle)') return
    if (name === '(program)') program += dt
    else js += dt
  })
  return { js: js / 1000, program: program / 1000 }
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
