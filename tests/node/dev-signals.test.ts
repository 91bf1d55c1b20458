/**
 * Stopping `npm run dev` leaves nothing running: a SIGTERM to npm (which passes it on to the shell
 * it runs the script in, and no further), or a SIGTERM or SIGHUP to scripts/dev.ts itself, ends
 * dev.ts, wrangler and workerd. Each case starts the dev server in a process group of its own and
 * waits for that group to be empty.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from './helpers/dev-server'
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

/** `npm run dev` on a free port, serving; its pid is its process group's. */
async function startDev(): Promise<{ npm: ChildProcess; output: () => string }> {
  const port = await freePort()
  let output = ''
  const npm = spawn('npm', ['run', 'dev', '--', '--port', String(port), '--log-level', 'error', '--show-interactive-dev-session=false'], {
    cwd: workspace.root,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  })
  npm.stdout!.on('data', (d) => (output += d))
  npm.stderr!.on('data', (d) => (output += d))
  const deadline = Date.now() + 120_000
  for (;;) {
    if (npm.exitCode !== null) throw new Error(`npm run dev exited with ${npm.exitCode}:\n${output}`)
    if (Date.now() > deadline) throw new Error(`npm run dev did not answer on port ${port}:\n${output}`)
    try {
      if ((await fetch(`http://127.0.0.1:${port}/feed.xml`)).status === 200) break
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  return { npm, output: () => output }
}

describe('stopping npm run dev', () => {
  it.each([
    ['a SIGTERM to npm', 'npm', 'SIGTERM'],
    ['a SIGTERM to scripts/dev.ts', 'dev.ts', 'SIGTERM'],
    ['a SIGHUP to scripts/dev.ts', 'dev.ts', 'SIGHUP'],
  ] as const)('on %s, leaves no process of it running (dev.ts, wrangler, workerd)', async (_, target, signal) => {
    const { npm, output } = await startDev()
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
