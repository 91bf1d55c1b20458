/**
 * The hub end to end, as a subscriber on this machine sees it: `wrangler dev` (local D1, local
 * queues, `--test-scheduled` for the cron) and a real subscriber HTTP server on 127.0.0.1.
 * subscribe → verified → a scheduled story goes live → signed delivery, checked → the subscriber
 * answers 500 twice and is retried until it gets it → unsubscribe → no further delivery.
 * wrangler dev's clock cannot be moved, so the stories are scheduled seconds ahead and the test waits.
 */
import { createHmac } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort, migrateLocal, startDevServer, type DevServer } from './helpers/dev-server'
import { sleepUntil, until, writeScheduled } from './helpers/e2e'
import { contentWorkspace } from './helpers/workspace'

const SECRET = 'e2e-subscriber-secret'
const FIRST_DELAY_S = 30
const SECOND_DELAY_S = 50

interface Received {
  method: string
  url: URL
  headers: IncomingHttpHeaders
  body: string
  answered: number
}

let workspace: ReturnType<typeof contentWorkspace>
let server: DevServer
let subscriber: Server
let callback: string
const received: Received[] = []
let failuresLeft = 2
let firstLive = 0
let secondLive = 0

const wait = <T>(what: string, probe: () => T | undefined, timeoutMs?: number) => until(what, probe, () => server?.output(), timeoutMs)
const cron = () => fetch(`${server.origin}/__scheduled?cron=*+*+*+*+*`)
const hub = (form: Record<string, string>) =>
  fetch(`${server.origin}/hub`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) })

beforeAll(async () => {
  workspace = contentWorkspace({ worker: true })
  const t0 = Date.now()
  firstLive = t0 + FIRST_DELAY_S * 1000
  secondLive = t0 + SECOND_DELAY_S * 1000
  writeScheduled(workspace.root, [
    { slug: 'e2e-first', headline: 'E2E first scheduled story', at: firstLive },
    { slug: 'e2e-second', headline: 'E2E second scheduled story', at: secondLive },
  ])
  migrateLocal(workspace.root)

  const port = await freePort()
  callback = `http://127.0.0.1:${port}/callback?subscriber=e2e`
  subscriber = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', () => {
      const url = new URL(req.url!, `http://127.0.0.1:${port}`)
      let status = 200
      let reply = ''
      if (req.method === 'GET') reply = url.searchParams.get('hub.challenge') ?? ''
      else if (failuresLeft > 0) {
        failuresLeft--
        status = 500
      }
      received.push({ method: req.method!, url, headers: req.headers, body, answered: status })
      res.writeHead(status, { 'Content-Type': 'text/plain' }).end(reply)
    })
  })
  await new Promise<void>((r) => subscriber.listen(port, '127.0.0.1', r))
  server = await startDevServer({ cwd: workspace.root, vars: { HUB_RETRY_BASE_SECONDS: '1', ADMIN_TOKEN: 'e2e-admin' }, args: ['--test-scheduled'] })
})

afterAll(async () => {
  await server?.stop()
  await new Promise((r) => subscriber?.close(r))
  workspace?.cleanup()
})

it('subscribes, delivers a scheduled story signed and retried, and stops after unsubscribing', async () => {
  const topic = `${server.origin}/feed.xml`
  // The feed does not show the scheduled story yet.
  expect(await (await fetch(topic)).text()).not.toContain('E2E first scheduled story')

  // 1. Subscribe: 202, then the hub verifies intent with a GET the subscriber answers.
  const accepted = await hub({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': callback, 'hub.secret': SECRET, 'hub.lease_seconds': '3600' })
  expect(accepted.status).toBe(202)
  const verification = await wait('verification of intent', () => received.find((r) => r.method === 'GET'))
  expect(verification.url.searchParams.get('hub.mode')).toBe('subscribe')
  expect(verification.url.searchParams.get('hub.topic')).toBe(topic)
  expect(verification.url.searchParams.get('hub.lease_seconds')).toBe('3600')
  expect(verification.url.searchParams.get('subscriber')).toBe('e2e')
  // The cron records the baseline (verification already did) and finds nothing new yet.
  await cron()
  await new Promise((r) => setTimeout(r, 2000))
  expect(received.filter((r) => r.method === 'POST')).toHaveLength(0)

  // 2. The scheduled story goes live; the next cron tick notices and delivers.
  await sleepUntil(firstLive + 500)
  expect(await (await fetch(topic)).text()).toContain('E2E first scheduled story')
  await cron()
  const delivered = await wait('a successful delivery', () => received.find((r) => r.method === 'POST' && r.answered === 200), 90_000)
  const posts = received.filter((r) => r.method === 'POST')
  expect(posts.map((p) => p.answered)).toEqual([500, 500, 200])
  expect(delivered.body).toContain('E2E first scheduled story')
  expect(delivered.headers['content-type']).toBe('application/rss+xml; charset=utf-8')
  expect(delivered.headers.link).toBe(`<${server.origin}/hub>; rel="hub", <${topic}>; rel="self"`)
  const expected = createHmac('sha256', SECRET).update(delivered.body).digest('hex')
  expect(delivered.headers['x-hub-signature']).toBe(`sha256=${expected}`)
  expect(delivered.body).toBe(await (await fetch(topic)).text())

  // 3. Unsubscribe: verified the same way.
  expect((await hub({ 'hub.mode': 'unsubscribe', 'hub.topic': topic, 'hub.callback': callback })).status).toBe(202)
  await wait('verification of the unsubscription', () => received.find((r) => r.method === 'GET' && r.url.searchParams.get('hub.mode') === 'unsubscribe'))

  // 4. The second story goes live: no further delivery.
  await sleepUntil(secondLive + 500)
  expect(await (await fetch(topic)).text()).toContain('E2E second scheduled story')
  await cron()
  const report = await (await fetch(`${server.origin}/admin/publish`, { method: 'POST', headers: { Authorization: 'Bearer e2e-admin' } })).json()
  expect(report).toEqual({ expiredLeases: 0, changedTopics: [], deferredTopics: [], deliveriesQueued: 0, fediverse: { created: [], updated: [], deleted: [], deliveriesQueued: 0 } })
  await new Promise((r) => setTimeout(r, 4000))
  expect(received.filter((r) => r.method === 'POST')).toHaveLength(3)
})
