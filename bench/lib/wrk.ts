/** Load with wrk (Debian's package, installed on first use) against 127.0.0.1 only. */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'

export interface LoadResult {
  rps: number
  p50ms: number
  p99ms: number
  errors: number
}

export function ensureWrk(): void {
  if (existsSync('/usr/bin/wrk')) return
  console.log('bench: installing wrk from Debian (once per machine)')
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env })
  execFileSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'inherit', env })
}

function ms(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim())
  if (!m) return NaN
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1)
}

export function wrk(url: string, seconds: number, headers: Record<string, string> = {}, connections = 16): LoadResult {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`bench: refusing to load anything but 127.0.0.1 (${url})`)
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '5s']
  for (const [k, v] of Object.entries(headers)) args.push('-H', `${k}: ${v}`)
  const out = execFileSync('wrk', [...args, url], { encoding: 'utf8' })
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])
  const p50 = /\s50%\s+(\S+)/.exec(out)?.[1] ?? ''
  const p99 = /\s99%\s+(\S+)/.exec(out)?.[1] ?? ''
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0)
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out)
  const errors = non2xx + (socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0)
  return { rps, p50ms: ms(p50), p99ms: ms(p99), errors }
}
