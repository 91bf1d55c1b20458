/**
 * `npm run dev` (scripts/dev.ts: `wrangler dev`, and the rebuild on content edits) on a loopback
 * port for end-to-end tests; stopped by its process group.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { resolve } from 'node:path'

export interface DevServer {
  origin: string
  stop: () => Promise<void>
  /** What wrangler printed so far, for failure messages. */
  output: () => string
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
    server.on('error', reject)
  })
}

export interface DevServerOptions {
  /** Folder with wrangler.toml (default: this checkout). */
  cwd?: string
  /** `--var` overrides, beside SITE_URL. */
  vars?: Record<string, string>
  /** More `wrangler dev` flags, e.g. `--test-scheduled`. */
  args?: string[]
  /** How long to wait for the first 200 (default 90 s; the build step runs first). */
  timeoutMs?: number
  /** The path polled until it answers 200 (default `/`). */
  probe?: string
}

const WRANGLER = resolve('node_modules/wrangler/bin/wrangler.js')
const TSX = resolve('node_modules/tsx/dist/cli.mjs')

/** Applies the D1 migrations to the local database of `cwd`, as `npm run dev` does. */
export function migrateLocal(cwd = '.'): void {
  execFileSync(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'DB', '--local'], { cwd, stdio: 'pipe', env: { ...process.env, CI: 'true' } })
}

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const vars = Object.entries({ SITE_URL: origin, ...options.vars }).flatMap(([k, v]) => ['--var', `${k}:${v}`])
  const child: ChildProcess = spawn(
    process.execPath,
    // `npm run dev`'s script, the folder's own (a workspace has a copy of scripts/).
    [TSX, resolve(options.cwd ?? '.', 'scripts/dev.ts'), '--ip', '127.0.0.1', '--port', String(port), ...vars, '--log-level', 'error', '--show-interactive-dev-session=false', ...(options.args ?? [])],
    { cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' } },
  )
  let output = ''
  child.stdout!.on('data', (d) => (output += d))
  child.stderr!.on('data', (d) => (output += d))
  const stop = async () => {
    if (child.exitCode !== null) return
    try {
      process.kill(-child.pid!, 'SIGTERM')
    } catch {
      /* already gone */
    }
    await new Promise((r) => setTimeout(r, 300))
  }
  const timeoutMs = options.timeoutMs ?? 90_000
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode}:\n${output}`)
    try {
      if ((await fetch(origin + (options.probe ?? '/'))).status === 200) return { origin, stop, output: () => output }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  await stop()
  throw new Error(`wrangler dev did not answer on ${origin} within ${timeoutMs / 1000} s:\n${output}`)
}

/**
 * `npm run dev -- --port N` itself (npm, its shell, scripts/dev.ts) in `cwd`, in a process group of
 * its own whose id is `npm.pid`, once it serves `/feed.xml`.
 */
export async function startNpmDev(cwd: string): Promise<{ npm: ChildProcess; origin: string; output: () => string }> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  let output = ''
  const npm = spawn('npm', ['run', 'dev', '--', '--port', String(port), '--log-level', 'error', '--show-interactive-dev-session=false'], {
    cwd,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true', WRANGLER_SEND_METRICS: 'false' },
  })
  npm.stdout!.on('data', (d) => (output += d))
  npm.stderr!.on('data', (d) => (output += d))
  // A server that never came up is stopped, its whole group: the caller has nothing to stop.
  const fail = (message: string) => {
    try {
      process.kill(-npm.pid!, 'SIGKILL')
    } catch {
      /* already gone */
    }
    return new Error(`${message}:\n${output}`)
  }
  const deadline = Date.now() + 120_000
  for (;;) {
    if (npm.exitCode !== null) throw fail(`npm run dev exited with ${npm.exitCode}`)
    if (Date.now() > deadline) throw fail(`npm run dev did not answer on ${origin}`)
    try {
      if ((await fetch(`${origin}/feed.xml`)).status === 200) return { npm, origin, output: () => output }
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 300))
  }
}
