/**
 * Stopping `npm run dev` leaves nothing running: a SIGTERM to npm (which passes it on to the shell
 * it runs the script in, and no further), or a SIGTERM or SIGHUP to scripts/dev.ts itself, ends
 * dev.ts, wrangler and workerd. Each case starts the dev server in a process group of its own and
 * waits for that group to be empty.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNpmDev } from './helpers/dev-server'
import { contentWorkspace } from './helpers/workspace'

let workspace: ReturnType<typeof contentWorkspace>
beforeAll(() => {
  workspace = contentWorkspace({ worker: true })
})
afterAll(() => workspace?.cleanup())

/**
 * The processes of group `pgid`: pid, command name and arguments, read from /proc (no `ps`
 * needed). The group id is the fifth field of /proc/<pid>/stat, after the name in parentheses.
 */
function group(pgid: number): { pid: number; comm: string; args: string }[] {
  const out: { pid: number; comm: string; args: string }[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      // A zombie (state Z) has ended; only its parent has yet to reap it.
      if (Number(fields[2]) !== pgid || fields[0] === 'Z') continue
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim()
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim()
      out.push({ pid: Number(entry), comm, args })
    } catch {
      /* gone while being read */
    }
  }
  return out
}

describe('stopping npm run dev', () => {
  it.each([
    ['a SIGTERM to npm', 'npm', 'SIGTERM'],
    ['a SIGTERM to scripts/dev.ts', 'dev.ts', 'SIGTERM'],
    ['a SIGHUP to scripts/dev.ts', 'dev.ts', 'SIGHUP'],
  ] as const)('on %s, leaves no process of it running (dev.ts, wrangler, workerd)', async (_, target, signal) => {
    const { npm, output } = await startNpmDev(workspace.root)
    const pgid = npm.pid!
    try {
      const running = group(pgid)
      expect(running.some((p) => p.comm === 'workerd')).toBe(true)
      const dev = running.find((p) => p.comm === 'node' && p.args.includes('scripts/dev.ts'))
      expect(dev, JSON.stringify(running)).toBeDefined()
      process.kill(target === 'npm' ? pgid : dev!.pid, signal)
      const deadline = Date.now() + 20_000
      while (group(pgid).length > 0) {
        if (Date.now() > deadline) throw new Error(`still running 20 s after ${signal}:\n${group(pgid).map((p) => `${p.pid} ${p.args}`).join('\n')}\n${output().slice(-2000)}`)
        await new Promise((r) => setTimeout(r, 200))
      }
    } finally {
      try {
        process.kill(-pgid, 'SIGKILL')
      } catch {
        /* already gone */
      }
    }
  })
})
