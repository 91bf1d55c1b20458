/**
 * CPU time of one request inside the Worker's isolate, from a V8 CPU profile taken over the
 * DevTools protocol (as `wrangler check startup` does for the global scope): what Cloudflare bills
 * and limits as "CPU time", without the wall time spent waiting on reads or on the network.
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

/** Runs `during` with the isolate's CPU profiler on, and returns the profile. */
export async function profiled(inspector: URL, during: () => Promise<void>): Promise<CpuProfile> {
  const ws = new WebSocket(inspector.href.replace(/^http/, 'ws'))
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true })
    ws.addEventListener('error', () => reject(new Error(`inspector ${inspector.href}: could not connect`)), { once: true })
  })
  const pending = new Map<number, (result: unknown) => void>()
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown }
    if (message.id !== undefined) pending.get(message.id)?.(message.result)
  })
  let next = 1
  const send = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      const id = next++
      pending.set(id, resolve)
      ws.send(JSON.stringify({ id, method, params }))
    })
  try {
    await send('Profiler.enable')
    // The finest interval V8 allows here; a first request is tens of milliseconds.
    await send('Profiler.setSamplingInterval', { interval: 100 })
    await send('Profiler.start')
    await during()
    const { profile } = (await send('Profiler.stop')) as { profile: CpuProfile }
    return profile
  } finally {
    ws.close()
  }
}
