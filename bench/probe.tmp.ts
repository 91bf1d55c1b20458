import { startHerald } from './lib/servers'
import { profiled } from './lib/profile'
const ws = '/work/wt-10/bench/work/1000'
for (const path of process.argv.slice(2)) {
  const s = await startHerald(ws + '/dist/index.js', ws + '/.herald/archive', { inspect: true })
  const p: any = await profiled(s.inspector!, async () => { await (await fetch(s.origin + path)).arrayBuffer() })
  const self = new Map<string, number>()
  const byId = new Map(p.nodes.map((n: any) => [n.id, n]))
  p.samples.forEach((id: number, i: number) => {
    const n: any = byId.get(id); const f = n.callFrame
    const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`
    self.set(k, (self.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000)
  })
  // inclusive by top-level-ish: parent chain
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const incl = new Map<string, number>()
  p.samples.forEach((id: number, i: number) => {
    const seen = new Set<string>()
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) { const f = (byId.get(x) as any).callFrame; const k = `${f.functionName || '(anon)'}:${f.lineNumber}`; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + (p.timeDeltas[i] ?? 0) / 1000) } }
  })
  console.log(path, 'SELF', [...self].sort((a, b) => b[1] - a[1]).slice(0, 18).map(([k, v]) => `${v.toFixed(1)} ${k}`).join('\n  '))
  console.log('INCL', [...incl].sort((a, b) => b[1] - a[1]).slice(0, 40).map(([k, v]) => `${v.toFixed(1)} ${k}`).join('\n  '))
  await s.stop()
}
