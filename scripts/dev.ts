/**
 * `npm run dev [-- <wrangler dev flags>]`: `wrangler dev` with the site's absolute URLs on the
 * address it really serves. Address and port live in wrangler.toml `[dev]`, so `--ip`/`--port`
 * override them as wrangler documents; this script only reads the same values and passes
 * `SITE_URL` (and the build step's prerender origin) to match, unless `--var SITE_URL:…` is given.
 */
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
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
const extra = given ? [] : ['--var', `SITE_URL:${siteUrl}`]

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
const child = spawn(process.execPath, [wrangler, 'dev', ...args, ...extra], {
  stdio: 'inherit',
  env: { ...process.env, ...(!given && { HERALD_DEV_SITE_URL: siteUrl }) },
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
