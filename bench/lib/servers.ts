/**
 * Workers for the serving benchmark, on workerd through Miniflare with direct sockets (no
 * Miniflare entry worker, no wrangler dev proxy): Herald's bundle, and a "limit" worker that
 * answers each URL with a constant string of the same bytes and headers.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { convertV4MiniflareOptions, Miniflare, type V4MiniflareOptions } from 'miniflare'
import { freePort } from '../../tests/node/helpers/dev-server'

/** Miniflare 5 takes a new options shape; the v4 one is clearer here and converts. */
function start(options: V4MiniflareOptions): Miniflare {
  return new Miniflare(convertV4MiniflareOptions(options))
}

/**
 * Runs `attempt` with a free port, again with another one (up to 5 times) when someone else took
 * the port between our probe and workerd's bind (other test runs share the machine).
 */
async function onFreePort<T>(attempt: (port: number) => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt(await freePort())
    } catch (err) {
      if (i >= 4 || (err as { code?: string }).code !== 'ERR_ADDRESS_IN_USE') throw err
    }
  }
}

export interface Running {
  origin: string
  stop: () => Promise<void>
  /** The DevTools endpoint of the Herald worker's isolate, when started with `inspect`. */
  inspector?: URL
}

export const VARS = {
  FEED_SIZE: '50',
  FEED_CACHE_CONTROL: 'public, max-age=300, stale-while-revalidate=86400',
  PAGE_CACHE_CONTROL: 'public, max-age=60, stale-while-revalidate=3600',
  HUB_ALLOW_LOOPBACK: 'false',
}

/** Waits for a Miniflare to serve; one that failed to start is disposed of (its port is retried). */
async function ready(mf: Miniflare): Promise<void> {
  try {
    await mf.ready
  } catch (err) {
    await mf.dispose().catch(() => {})
    throw err
  }
}

/** Herald's bundle with its compiled archive as the ARCHIVE static assets, as deployed. */
export function startHerald(bundle: string, archive: string, options: { inspect?: boolean; cacheApi?: boolean } = {}): Promise<Running> {
  return onFreePort(async (port) => {
    const origin = `http://127.0.0.1:${port}`
    const mf = start({
      ...(options.inspect && { inspectorPort: 0 }),
      name: 'herald',
      modules: true,
      scriptPath: bundle,
      compatibilityDate: '2026-11-01',
      ...(options.cacheApi === false && { cacheAPI: false }),
      // The SITE_URL of `npm run dev` (wrangler.toml [vars]): the build prerendered the main feeds for it.
      bindings: { ...VARS, SITE_URL: 'http://localhost:8787', ADMIN_TOKEN: 'bench' },
      // Direct sockets reach the Worker itself, as run_worker_first does; the binding reads the files.
      assets: { directory: archive, binding: 'ARCHIVE', routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true } },
      d1Databases: ['DB'],
      queueProducers: { HUB_QUEUE: 'herald-hub' },
      unsafeDirectSockets: [{ host: '127.0.0.1', port }],
    })
    await ready(mf)
    const inspector = options.inspect ? new URL('/core:user:herald', await mf.getInspectorURL()) : undefined
    return { origin, stop: () => mf.dispose(), inspector }
  })
}

/**
 * Herald's bundle with no static assets of its own, reached on its socket with no Miniflare router
 * in front: the ARCHIVE binding is a service binding to a second worker that holds the archive as
 * assets. A memoised request never reads the archive, so this measures Herald's own cost against
 * the bare limit; a cold read pays one extra hop, which only the first requests see.
 */
export function startHeraldDirect(bundle: string, archive: string): Promise<Running> {
  return onFreePort(async (port) => {
    const origin = `http://127.0.0.1:${port}`
    const mf = start({
      workers: [
        {
          name: 'herald',
          modules: true,
          scriptPath: bundle,
          compatibilityDate: '2026-11-01',
          bindings: { ...VARS, SITE_URL: 'http://localhost:8787', ADMIN_TOKEN: 'bench' },
          serviceBindings: { ARCHIVE: 'archive' },
          d1Databases: ['DB'],
          queueProducers: { HUB_QUEUE: 'herald-hub' },
          unsafeDirectSockets: [{ host: '127.0.0.1', port }],
        },
        {
          name: 'archive',
          modules: true,
          script: 'export default { fetch: (request, env) => env.ASSETS.fetch(request) }',
          compatibilityDate: '2026-11-01',
          assets: { directory: archive, binding: 'ASSETS', routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true } },
        },
      ],
    })
    await ready(mf)
    return { origin, stop: () => mf.dispose() }
  })
}

export interface Canned {
  url: string
  status: number
  headers: [string, string][]
  body: string
  /** For 304 targets: the request's If-None-Match. */
  ifNoneMatch?: string
}

/** A worker whose every response is a module-level constant (bytes encoded once): the cost floor of sending them. */
export function startLimit(dir: string, canned: Canned[], originOf: (port: number) => string, archive?: string): Promise<Running> {
  return onFreePort(async (port) => {
    const origin = originOf(port)
    const table = Object.fromEntries(canned.map((c) => [c.url.replace(/^http:\/\/[^/]+/, origin), c]))
    // The body is encoded once, at startup: a string body would be re-encoded to UTF-8 on every
    // request, work Herald does not do (it keeps its bytes), and the "limit" would not be the floor.
    const source = `const TABLE = ${JSON.stringify(table)};
  const encoder = new TextEncoder();
  for (const c of Object.values(TABLE)) c.bytes = c.status === 304 ? null : encoder.encode(c.body);
  export default {
    fetch(request) {
      const c = TABLE[request.url];
      if (!c) return new Response('no such bench URL', { status: 404 });
      return new Response(c.bytes, { status: c.status, headers: c.headers });
    },
  };
  `
    mkdirSync(dir, { recursive: true })
    const script = join(dir, 'limit-worker.mjs')
    writeFileSync(script, source)
    const mf = start({
      modules: true,
      scriptPath: script,
      compatibilityDate: '2026-11-01',
      // The same route into the worker as Herald's: Miniflare sends a worker with static assets
      // through its assets proxy and router first, even on a direct socket. Same hops, fair ratio.
      ...(archive && { assets: { directory: archive, binding: 'ARCHIVE', routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true } } }),
      unsafeDirectSockets: [{ host: '127.0.0.1', port }],
    })
    await ready(mf)
    return { origin, stop: () => mf.dispose() }
  })
}

/**
 * fetch, once more on a dropped connection: after a wrk run, workerd may close the idle
 * keep-alive socket Node's fetch would reuse ("other side closed").
 */
export async function fetchAgain(url: string, init?: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init)
  } catch {
    return fetch(url, { ...init, headers: { ...(init?.headers as Record<string, string>), Connection: 'close' } })
  }
}

/** A one-file worker from `source` on a direct socket, with DevTools (the CPU measure's calibration). */
export function startScript(dir: string, name: string, source: string): Promise<Running> {
  return onFreePort(async (port) => {
    mkdirSync(dir, { recursive: true })
    const script = join(dir, `${name}-worker.mjs`)
    writeFileSync(script, source)
    const mf = start({ name, modules: true, scriptPath: script, compatibilityDate: '2026-11-01', inspectorPort: 0, unsafeDirectSockets: [{ host: '127.0.0.1', port }] })
    await ready(mf)
    return { origin: `http://127.0.0.1:${port}`, stop: () => mf.dispose(), inspector: new URL(`/core:user:${name}`, await mf.getInspectorURL()) }
  })
}
