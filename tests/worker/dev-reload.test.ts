/**
 * `POST /__herald/dev/reload` (src/http/dev-reload.ts): under `npm run dev`, the worker drops the
 * archive it opened once told, with the session's token, that the build revised it in place.
 * Anywhere else the path is unknown.
 */
import { env } from 'cloudflare:workers'
import { sha256 } from 'hono/utils/crypto'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import type { ReadFile } from '../../src/archive/archive'
import { DEV_RELOAD_PATH } from '../../src/http/dev-reload'
import { heraldFor } from '../../src/herald'
import { archiveOf } from '../helpers/archive'
import { article, collection } from '../helpers/content'
import { get, ORIGIN } from '../helpers/worker'
import { child, children, parseXml, textOf } from '../helpers/xml'

const TOKEN = 'this-session-only'

/** What `npm run dev` passes: the token's SHA-256, hex (scripts/dev.ts). */
const sha256Hex = async (text: string) => (await sha256(text))!

/** A worker over an archive the test rewrites, as `npm run dev`'s build does on disk. */
function devWorker(vars: Record<string, string>) {
  const story = article({ slug: 'the-story', headline: 'First headline' })
  let files: ReadFile = archiveOf(collection([story]))
  let opens = 0
  const app = createApp(
    heraldFor(() => {
      opens++
      return (path) => files(path)
    }),
  )
  return {
    request: (path: string, init?: RequestInit) => app.request(ORIGIN + path, init, { ...env, ...vars } as Env),
    /** The build revises the archive: the same story, another headline. */
    revise: (headline: string) => (files = archiveOf(collection([{ ...story, headline }]))),
    opens: () => opens,
  }
}

const headlineIn = async (res: Response) => textOf(child(children(child(parseXml(await res.text()), 'channel'), 'item')[0]!, 'title'))

describe('POST /__herald/dev/reload', () => {
  it('is an unknown path where npm run dev did not set HERALD_DEV_RELOAD (the deployed worker)', async () => {
    const res = await get(DEV_RELOAD_PATH, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toContain('text/html')
  })

  it('with the session token: the next request opens the revised archive', async () => {
    const dev = devWorker({ HERALD_DEV_RELOAD: await sha256Hex(TOKEN) })
    expect(await headlineIn(await dev.request('/feed.xml'))).toBe('First headline')
    dev.revise('Corrected headline')
    // Still the archive it opened: a deployed archive never changes under a worker.
    expect(await headlineIn(await dev.request('/feed.xml'))).toBe('First headline')
    const res = await dev.request(DEV_RELOAD_PATH, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(res.status).toBe(204)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await headlineIn(await dev.request('/feed.xml'))).toBe('Corrected headline')
    expect(dev.opens()).toBe(2)
  })

  it('refuses a missing or wrong token (401), or another method (405), and keeps the archive', async () => {
    const dev = devWorker({ HERALD_DEV_RELOAD: await sha256Hex(TOKEN) })
    await dev.request('/feed.xml')
    dev.revise('Corrected headline')
    const none = await dev.request(DEV_RELOAD_PATH, { method: 'POST' })
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toContain('Bearer')
    const wrong = await dev.request(DEV_RELOAD_PATH, { method: 'POST', headers: { Authorization: 'Bearer not-the-token' } })
    expect(wrong.status).toBe(401)
    expect(await wrong.text()).toBe('the bearer token is not valid (401)\n')
    // The digest itself is not the token.
    const digest = await dev.request(DEV_RELOAD_PATH, { method: 'POST', headers: { Authorization: `Bearer ${await sha256Hex(TOKEN)}` } })
    expect(digest.status).toBe(401)
    const got = await dev.request(DEV_RELOAD_PATH, { headers: { Authorization: `Bearer ${TOKEN}` } })
    expect(got.status).toBe(405)
    expect(got.headers.get('allow')).toBe('POST')
    expect(await headlineIn(await dev.request('/feed.xml'))).toBe('First headline')
    expect(dev.opens()).toBe(1)
  })
})
