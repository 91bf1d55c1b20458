/**
 * The fediverse end to end, as a follower's server on this machine sees it: `npm run dev` (local
 * D1 and queues, `--test-scheduled` for the cron) and a small ActivityPub server on 127.0.0.1
 * that serves its actor, signs its own requests and checks every delivery's signature with its own
 * code: node:crypto over the draft-cavage signing string, with the key from Herald's actor
 * document, and the Digest over the body it received.
 *
 * follow → signed Accept → a scheduled story goes live → Create → the story is corrected (the
 * content is edited and rebuilt under watch) → Update → the story is withdrawn for a few seconds
 * later → at that instant its URL is 410 and the cron sends Delete of a Tombstone → unfollow → a
 * second story, written in scheduled a few seconds ahead, goes live → nothing more. wrangler dev's
 * clock cannot be moved, so the stories are scheduled ahead and the test waits.
 */
import { createHash, createSign, createVerify, generateKeyPairSync } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { freePort, migrateLocal, startDevServer, type DevServer } from './helpers/dev-server'
import { scheduledArticle, sleepUntil, until, writeScheduled, type ScheduledStory } from './helpers/e2e'
import { contentWorkspace } from './helpers/workspace'

const FIRST_DELAY_S = 30
/** The second story is written in after the unfollow, scheduled this far ahead: no cron before then may see it. */
const SECOND_DELAY_S = 10

interface Delivery {
  path: string
  headers: IncomingHttpHeaders
  body: string
  json: Record<string, any>
  /** What this server's own check of the signature and digest found. */
  verified: boolean | string
}

let workspace: ReturnType<typeof contentWorkspace>
let server: DevServer
let follower: Server
let followerOrigin = ''
const deliveries: Delivery[] = []
const keys = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
const heraldKeys = new Map<string, string>()
let first: ScheduledStory

const aliceId = () => `${followerOrigin}/users/alice`
const wait = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs?: number) => until(what, probe, () => server?.output(), timeoutMs)
const cron = () => fetch(`${server.origin}/__scheduled?cron=*+*+*+*+*`)
const posts = () => deliveries.filter((d) => d.json.type !== undefined)

/** Herald's public key for a keyId, fetched from its actor document as a remote server would. */
async function heraldKey(keyId: string): Promise<string> {
  let pem = heraldKeys.get(keyId)
  if (!pem) {
    const actor = (await (await fetch(keyId.split('#')[0]!, { headers: { Accept: 'application/activity+json' } })).json()) as { publicKey: { id: string; publicKeyPem: string } }
    if (actor.publicKey.id !== keyId) throw new Error(`key ${keyId} is not in its actor document`)
    pem = actor.publicKey.publicKeyPem
    heraldKeys.set(keyId, pem)
  }
  return pem
}

/** This server's own check of a signed POST: the signing string rebuilt from what arrived. */
async function verify(method: string, path: string, headers: IncomingHttpHeaders, body: string): Promise<true | string> {
  const sig = Object.fromEntries([...String(headers.signature ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]))
  if (!sig.keyId || !sig.signature || !sig.headers) return 'no signature'
  const names = sig.headers.split(' ')
  for (const required of ['(request-target)', 'host', 'date', 'digest']) if (!names.includes(required)) return `${required} not signed`
  const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`
  if (headers.digest !== digest) return 'digest mismatch'
  if (Math.abs(Date.parse(String(headers.date)) - Date.now()) > 300_000) return 'date too far off'
  const text = names.map((n) => (n === '(request-target)' ? `(request-target): ${method.toLowerCase()} ${path}` : `${n}: ${headers[n]}`)).join('\n')
  const ok = createVerify('RSA-SHA256').update(text).verify(await heraldKey(sig.keyId), sig.signature, 'base64')
  return ok || 'signature does not verify'
}

/** A POST to Herald signed by alice, with node:crypto. */
function signedPost(path: string, activity: unknown): RequestInit {
  const body = JSON.stringify(activity)
  const url = new URL(server.origin + path)
  const headers: Record<string, string> = {
    host: url.host,
    date: new Date().toUTCString(),
    digest: `SHA-256=${createHash('sha256').update(body).digest('base64')}`,
    'content-type': 'application/activity+json',
  }
  const names = ['(request-target)', 'host', 'date', 'digest', 'content-type']
  const text = names.map((n) => (n === '(request-target)' ? `(request-target): post ${url.pathname}` : `${n}: ${headers[n]}`)).join('\n')
  const signature = createSign('RSA-SHA256').update(text).sign(keys.privateKey, 'base64')
  const { host: _host, ...sent } = headers
  return { method: 'POST', headers: { ...sent, signature: `keyId="${aliceId()}#main-key",algorithm="rsa-sha256",headers="${names.join(' ')}",signature="${signature}"` }, body }
}

beforeAll(async () => {
  workspace = contentWorkspace({ worker: true })
  const t0 = Date.now()
  first = { slug: 'e2e-fedi-first', headline: 'E2E fediverse first story', at: t0 + FIRST_DELAY_S * 1000 }
  writeScheduled(workspace.root, [first])
  migrateLocal(workspace.root)

  const port = await freePort()
  followerOrigin = `http://127.0.0.1:${port}`
  follower = createServer((req, res) => {
    let body = ''
    req.on('data', (d) => (body += d))
    req.on('end', async () => {
      if (req.method === 'GET' && req.url === '/users/alice') {
        res.writeHead(200, { 'Content-Type': 'application/activity+json' }).end(
          JSON.stringify({
            '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
            id: aliceId(),
            type: 'Person',
            preferredUsername: 'alice',
            inbox: `${aliceId()}/inbox`,
            endpoints: { sharedInbox: `${followerOrigin}/inbox` },
            publicKey: { id: `${aliceId()}#main-key`, owner: aliceId(), publicKeyPem: keys.publicKey },
          }),
        )
        return
      }
      if (req.method === 'POST') {
        const verified = await verify(req.method, req.url!, req.headers, body).catch((e: Error) => e.message)
        deliveries.push({ path: req.url!, headers: req.headers, body, json: JSON.parse(body), verified })
        res.writeHead(verified === true ? 202 : 401).end()
        return
      }
      res.writeHead(404).end()
    })
  })
  await new Promise<void>((r) => follower.listen(port, '127.0.0.1', r))
  server = await startDevServer({ cwd: workspace.root, vars: { HUB_RETRY_BASE_SECONDS: '1', ADMIN_TOKEN: 'e2e-admin' }, args: ['--test-scheduled'] })
})

afterAll(async () => {
  await server?.stop()
  await new Promise((r) => follower?.close(r))
  workspace?.cleanup()
})

it('follows, receives a signed Accept, Create, Update, Delete, and nothing after unfollowing', { timeout: 300_000 }, async () => {
  const siteActor = `${server.origin}/ap/actors/news`
  // Found as Mastodon finds it.
  const jrd = (await (await fetch(`${server.origin}/.well-known/webfinger?resource=acct:news@${new URL(server.origin).host}`)).json()) as { links: { rel: string; href: string }[] }
  expect(jrd.links.find((l) => l.rel === 'self')?.href).toBe(siteActor)
  // The first cron run records the stories already out; nothing is sent for them.
  await cron()

  // 1. Follow: 202, and a signed Accept arrives at alice's own inbox.
  const followActivity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${aliceId()}#follow-1`, type: 'Follow', actor: aliceId(), object: siteActor }
  const followed = await fetch(`${siteActor}/inbox`, signedPost('/ap/actors/news/inbox', followActivity))
  expect(followed.status, await followed.clone().text()).toBe(202)
  const accept = await wait('the Accept', () => posts().find((d) => d.json.type === 'Accept'))
  expect(accept.path).toBe('/users/alice/inbox')
  expect(accept.verified).toBe(true)
  expect(accept.json).toMatchObject({ actor: siteActor, object: { id: followActivity.id, type: 'Follow', actor: aliceId() } })
  expect(((await (await fetch(`${siteActor}/followers`)).json()) as { totalItems: number }).totalItems).toBe(1)

  // 2. The first story goes live: the next cron run sends its Create to the shared inbox.
  await sleepUntil(first.at + 500)
  await cron()
  const create = await wait('the Create', () => posts().find((d) => d.json.type === 'Create'), 60_000)
  expect(create.path).toBe('/inbox')
  expect(create.verified).toBe(true)
  expect(create.json.object).toMatchObject({ type: 'Article', id: `${server.origin}/articles/${first.slug}`, name: first.headline, attributedTo: siteActor })
  expect(create.json.object.tag).toEqual([{ type: 'Hashtag', name: '#Testing', href: `${server.origin}/tags/testing` }])
  // The article URL is the same object by content negotiation.
  const article = (await (await fetch(create.json.object.id, { headers: { Accept: 'application/activity+json' } })).json()) as { id: string; name: string }
  expect(article).toMatchObject({ id: create.json.object.id, name: first.headline })

  // 3. A correction, edited into the content while npm run dev watches it: one Update.
  const corrected = { ...first, headline: 'E2E fediverse first story (corrected)', updated: Date.now() }
  writeFileSync(join(workspace.root, 'content/articles', `${first.slug}.ts`), scheduledArticle(corrected))
  await wait('the rebuilt archive', async () => {
    const res = await fetch(`${server.origin}/articles/${first.slug}`, { headers: { Accept: 'application/activity+json' } }).catch(() => undefined)
    const a = res?.ok ? ((await res.json()) as { name: string }) : undefined
    return a?.name === corrected.headline ? true : undefined
  }, 90_000)
  await cron()
  const update = await wait('the Update', () => posts().find((d) => d.json.type === 'Update'), 60_000)
  expect(update.verified).toBe(true)
  expect(update.json.object).toMatchObject({ id: create.json.object.id, name: corrected.headline })

  // 4. A withdrawal, a few seconds ahead, rebuilt under watch: from its instant the article is 410
  // (a Tombstone as activity+json), and the next cron run sends one Delete.
  const withdrawn = { ...corrected, withdrawn: { at: Date.now() + 10_000, reason: 'A source recanted.' } }
  writeFileSync(join(workspace.root, 'content/articles', `${first.slug}.ts`), scheduledArticle(withdrawn))
  const gone = await wait('the withdrawal in effect', async () => {
    const res = await fetch(create.json.object.id, { headers: { Accept: 'application/activity+json' } }).catch(() => undefined)
    return res?.status === 410 ? ((await res.json()) as Record<string, unknown>) : undefined
  }, 120_000)
  expect(gone).toMatchObject({ id: create.json.object.id, type: 'Tombstone', formerType: 'Article' })
  const page = await fetch(`${server.origin}/articles/${first.slug}`)
  expect(page.status).toBe(410)
  expect(await page.text()).toContain('A source recanted.')
  await cron()
  const del = await wait('the Delete', () => posts().find((d) => d.json.type === 'Delete'), 60_000)
  expect(del.path).toBe('/inbox')
  expect(del.verified).toBe(true)
  expect(del.json).toMatchObject({ actor: siteActor, object: { id: create.json.object.id, type: 'Tombstone', formerType: 'Article', deleted: new Date(Math.floor(withdrawn.withdrawn.at / 1000) * 1000).toISOString() } })
  await cron()

  // 5. Unfollow; a second story, deployed scheduled a few seconds ahead, goes live; nothing more arrives.
  const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${aliceId()}#undo-1`, type: 'Undo', actor: aliceId(), object: followActivity }
  expect((await fetch(`${server.origin}/ap/inbox`, signedPost('/ap/inbox', undo))).status).toBe(202)
  expect(((await (await fetch(`${siteActor}/followers`)).json()) as { totalItems: number }).totalItems).toBe(0)
  const second: ScheduledStory = { slug: 'e2e-fedi-second', headline: 'E2E fediverse second story', at: Date.now() + SECOND_DELAY_S * 1000 }
  writeScheduled(workspace.root, [second])
  await sleepUntil(second.at + 500)
  await wait('the second story live', async () => ((await fetch(`${server.origin}/articles/${second.slug}`).catch(() => undefined))?.status === 200 ? true : undefined), 90_000)
  await cron()
  await new Promise((r) => setTimeout(r, 4000))
  expect(posts().map((d) => d.json.type)).toEqual(['Accept', 'Create', 'Update', 'Delete'])
  // Nothing was sent twice, and every delivery passed this server's own check.
  expect(deliveries.every((d) => d.verified === true)).toBe(true)
})
