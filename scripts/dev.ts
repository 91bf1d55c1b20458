/**
 * `npm run dev [-- <wrangler dev flags>]`: `wrangler dev` with the site's absolute URLs on the
 * address it really serves. Address and port live in wrangler.toml `[dev]`, so `--ip`/`--port`
 * override them as wrangler documents; this script only reads the same values and passes
 * `SITE_URL` (and the build step's prerender origin) to match, unless `--var SITE_URL:…` is given.
 *
 * Content edits are this script's: it watches content/ and rebuilds in its own process from the
 * build cache (scripts/lib/build.ts). An archive revised in place (same files, new contents) the
 * worker opens again when told to (src/http/dev-reload.ts): the dev assets service reads files from
 * disk. Any other build touches RELOAD_STAMP (one of wrangler's watch_dir) for wrangler to load the
 * new archive, file list and all: wrangler does not reload on changes to the assets of a worker
 * with a custom build. Code edits are wrangler's (`[build] watch_dir`): the build step, then a new bundle.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { codeKey, RELOAD_STAMP } from './code-key.mjs'
import { DEV_RELOAD_PATH } from '../src/http/dev-reload'
import { parse } from 'smol-toml'

const args = process.argv.slice(2)
const dev = (parse(readFileSync('wrangler.toml', 'utf8')) as { dev?: { ip?: string; port?: number } }).dev ?? {}

/** The value of `--name v` or `--name=v` (the last one wins, as in wrangler's own parsing). */
function flag(name: string): string | undefined {
  let value: string | undefined
  args.forEach((arg, i) => {
    if (arg === name) value = args[i + 1]
    else if (arg.startsWith(`${name}=`)) value = arg.slice(name.length + 1)
  })
  return value
}

const port = flag('--port') ?? String(dev.port ?? 8787)
const ip = flag('--ip') ?? dev.ip ?? '127.0.0.1'
// A loopback address is named as readers and browsers name it; any other as given.
const host = ip === '127.0.0.1' || ip === 'localhost' ? 'localhost' : ip.includes(':') ? `[${ip}]` : ip
const siteUrl = `http://${host}:${port}`
const given = args.some((arg, i) => (arg === '--var' && args[i + 1]?.startsWith('SITE_URL:')) || arg.startsWith('--var=SITE_URL:'))
// This session's token for the worker's dev reload route (src/http/dev-reload.ts): the worker gets
// its digest, which wrangler may print; the token stays in this process.
const reloadToken = randomBytes(32).toString('base64url')
const extra = [...(given ? [] : ['--var', `SITE_URL:${siteUrl}`]), '--var', `HERALD_DEV_RELOAD:${createHash('sha256').update(reloadToken).digest('hex')}`]
// Where this script reaches the worker: the address it listens on (any address: loopback).
const reachable = ['0.0.0.0', 'localhost', '127.0.0.1'].includes(ip) ? '127.0.0.1' : ip === '::' ? '[::1]' : ip.includes(':') ? `[${ip}]` : ip
const reloadUrl = `http://${reachable}:${port}${DEV_RELOAD_PATH}`

const wrangler = resolve('node_modules/wrangler/bin/wrangler.js')

/**
 * `wrangler d1 migrations apply DB --local`, skipped when the local database already had exactly
 * these migrations applied by this script: asking wrangler costs a second and a half of every
 * start. The stamp lives beside the local database, so deleting that state re-applies them.
 */
function migrateLocal(): void {
  const persist = flag('--persist-to')
  const state = join(persist ?? '.wrangler/state', 'v3/d1')
  const stamp = join(state, 'herald-migrations.sha256')
  const hash = createHash('sha256').update(readFileSync('wrangler.toml'))
  for (const f of readdirSync('migrations').sort()) hash.update(f).update(readFileSync(join('migrations', f)))
  const digest = hash.digest('hex')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return
  execFileSync(process.execPath, [wrangler, 'd1', 'migrations', 'apply', 'DB', '--local', ...(persist ? ['--persist-to', persist] : [])], { stdio: 'inherit' })
  mkdirSync(state, { recursive: true })
  writeFileSync(stamp, digest)
}

migrateLocal()
if (!given) console.log(`herald: serving on ${siteUrl} (SITE_URL follows --port/--ip)`)
if (!given) process.env.HERALD_DEV_SITE_URL = siteUrl
// wrangler's first build is a real one: the content may have changed while no dev server ran.
rmSync(RELOAD_STAMP, { force: true })
mkdirSync(dirname(RELOAD_STAMP), { recursive: true })
process.env.HERALD_DEV_RELOAD = '1'
const child = spawn(process.execPath, [wrangler, 'dev', ...args, ...extra], { stdio: 'inherit', env: process.env })

/** Asks the worker to open the archive again (src/http/dev-reload.ts); false when it did not. */
async function reopen(): Promise<boolean> {
  try {
    const res = await fetch(reloadUrl, { method: 'POST', headers: { Authorization: `Bearer ${reloadToken}` }, signal: AbortSignal.timeout(2000) })
    await res.body?.cancel()
    return res.status === 204
  } catch {
    // Not listening (still starting, or reloading after a code edit): the stamp reloads it.
    return false
  }
}

/**
 * Rebuilds after each burst of content edits, one build at a time: an edit during a build makes
 * one more build after it. A content mistake is reported and the last archive kept.
 */
function watchContent(): void {
  let running = false
  let again = false
  let timer: NodeJS.Timeout | undefined
  // The files changed since the last build began, for the next build to look at alone. Undefined:
  // the next build looks at every file — the first (files may have changed while no dev server ran),
  // and any after an event that named no file or a watcher error.
  let pending: Set<string> | undefined
  const rebuild = async () => {
    if (running) return void (again = true)
    running = true
    const started = performance.now()
    const changed = pending
    pending = new Set()
    try {
      const { buildArchive, ContentProblems } = await import('./lib/build')
      try {
        const r = await buildArchive({ root: process.cwd(), ...(changed && { changed }) })
        // Revised in place, the archive has the files it had: the worker only has to open it again.
        // Otherwise (or if the worker did not answer) wrangler loads it anew, as for a code edit: it
        // runs the build command (which finds nothing to do), lists the new files and reloads.
        const reopened = r.revised && (await reopen())
        if (!reopened) writeFileSync(RELOAD_STAMP, codeKey())
        console.log(`herald: content rebuilt in ${Math.round(performance.now() - started)} ms (${r.processed} article ${r.processed === 1 ? 'module' : 'modules'} rendered, ${r.written} files written${reopened ? '; the worker reopened the archive' : ''})`)
      } catch (err) {
        // What this build was to look at, the next looks at too.
        if (!changed) pending = undefined
        else for (const f of changed) pending?.add(f)
        console.error(err instanceof ContentProblems ? `${err.message}\nherald: content problems (above); still serving the last archive` : `herald: build failed: ${err instanceof Error ? err.message : String(err)}`)
      }
    } finally {
      running = false
      if (again) {
        again = false
        void rebuild()
      }
    }
  }
  // Editors write a file in a few steps (truncate, write; or a new file renamed over it): one build for them.
  const changed = (folder: string) => (_event: string, name: string | null) => {
    if (name === null) pending = undefined
    else pending?.add(`${folder}/${name}`)
    clearTimeout(timer)
    timer = setTimeout(() => void rebuild(), 25)
  }
  // A watcher per folder: Node's recursive watch on Linux walks and tracks every file below (100,000 articles).
  // A folder may be a symbolic link to one elsewhere (a shared checkout of the articles): followed.
  const isFolder = (path: string) => statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false
  const folders = ['content', ...readdirSync('content').map((name) => join('content', name)).filter(isFolder)]
  for (const folder of folders) {
    watch(folder, changed(folder)).on('error', (err) => {
      pending = undefined
      console.error(`herald: watching ${folder}/ failed (${err.message}); restart npm run dev to see edits`)
    })
  }
}
watchContent()

/**
 * Stops wrangler, which stops its own children (workerd, esbuild) on SIGINT or SIGTERM, and exits
 * when it has. wrangler is not put in a process group of its own: in a terminal it reads the
 * keyboard (its hotkeys), which a background group may not. SIGHUP (the terminal closed) is passed
 * on as SIGTERM: wrangler's launcher passes on only SIGINT and SIGTERM, and dies of the rest,
 * leaving its own child running.
 */
let stopping = false
function stop(signal: 'SIGINT' | 'SIGTERM' | 'SIGHUP'): void {
  if (stopping) return
  stopping = true
  child.kill(signal === 'SIGHUP' ? 'SIGTERM' : signal)
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stop(signal))
// `npm run dev` runs this script under a shell, and npm passes a SIGTERM or SIGINT on to that shell
// alone, which dies of it without passing it on: this process is then the shell's orphan, and its
// parent changes. So does it if whatever started it is gone by any other means.
const parent = process.ppid
setInterval(() => {
  if (process.ppid !== parent) stop('SIGTERM')
}, 250).unref()
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
