/** Load with wrk (Debian's package, installed on first use) against 127.0.0.1 only. */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import { ensureDebianPackage } from './apt'

export interface LoadResult {
  rps: number
  p50ms: number
  p99ms: number
  errors: number
}

export function ensureWrk(): void {
  ensureDebianPackage('wrk', '/usr/bin/wrk')
}

function ms(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim())
  if (!m) return NaN
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1)
}

/** This process's descendants (the workerd processes Miniflare started), from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      // The parent pid is the 4th field of /proc/<pid>/stat, after the parenthesised name.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)])
    } catch {
      // gone already
    }
  }
  const out: number[] = []
  const walk = (pid: number) => (children.get(pid) ?? []).forEach((c) => (out.push(c), walk(c)))
  walk(root)
  return out
}

/**
 * On a machine with two or more cores, the servers (every thread of every workerd this process
 * started) run on core 0 and wrk on core 1: the load generator and the server stop taking turns
 * on the same core, which otherwise swings a 270 KiB response's req/s by 3x between runs.
 */
function pinned(): boolean {
  if (cpus().length < 2 || !existsSync('/usr/bin/taskset')) return false
  for (const pid of descendants(process.pid)) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', '0', String(pid)], { stdio: 'ignore' })
    } catch {
      // exited between listing and pinning
    }
  }
  return true
}

export function wrk(url: string, seconds: number, headers: Record<string, string> = {}, connections = 16): LoadResult {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`bench: refusing to load anything but 127.0.0.1 (${url})`)
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s']
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`)
  const out = pinned() ? execFileSync('taskset', ['-c', '1', 'wrk', ...args, url], { encoding: 'utf8' }) : execFileSync('wrk', [...args, url], { encoding: 'utf8' })
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? ''
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? ''
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0)
  return { rps, p50ms: ms(p50), p99ms: ms(p99), errors }
}
