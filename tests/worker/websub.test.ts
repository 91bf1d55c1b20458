/**
 * Herald as a WebSub hub (W3C WebSub): discovery, subscription requests, verification of intent,
 * noticing changes, fat-ping delivery with signatures, retries and dead letters, the SSRF guard and
 * the admin endpoint. Real D1 (migrated), the real queue consumer, a scripted subscriber.
 */
import { env, exports } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import content from '../../content/index'
import type { Article } from '../../src/content/article'
import { publishChanges } from '../../src/websub/publish'
import { deliveryRecords, subscribers, upsertSubscription } from '../../src/websub/store'
import { article, collection } from '../helpers/content'
import { echoChallenge, fakeSubscriber, hubWorker, runJobs } from '../helpers/hub'
import { get, ORIGIN } from '../helpers/worker'
import { child, children, NS, parseXml } from '../helpers/xml'

const TOPIC = `${ORIGIN}/feed.xml`
const CALLBACK = 'https://subscriber.example/cb'
const HOUR = 3_600_000

beforeEach(async () => {
  for (const table of ['subscriptions', 'topic_state', 'deliveries', 'hub_requests', 'delivery_claims', 'delivery_attempts']) await env.DB.exec(`DELETE FROM ${table}`)
})
afterEach(() => vi.restoreAllMocks())

async function hmacHex(secret: string, body: string) {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  return [...new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(body)))].map((b) => b.toString(16).padStart(2, '0')).join('')
}

describe('discovery', () => {
  it.each(['/feed.xml', '/atom.xml', '/feed.json', '/sections/news/atom.xml', '/tags/russia/feed.json', '/authors/newsroom/feed.xml'])(
    '%s sends Link rel=hub and rel=self',
    async (path) => {
      const link = (await get(path)).headers.get('link')
      expect(link).toBe(`<${ORIGIN}/hub>; rel="hub", <${ORIGIN}${path}>; rel="self"`)
    },
  )

  it('names the hub in each document: atom:link in RSS, link in Atom, hubs in JSON Feed', async () => {
    const rss = children(child(parseXml(await (await get('/feed.xml')).text()), 'channel'), `{${NS.atom}}link`)
    expect(rss.find((l) => l.attributes.rel === 'hub')?.attributes.href).toBe(`${ORIGIN}/hub`)
    const atom = children(parseXml(await (await get('/atom.xml')).text()), `{${NS.atom}}link`)
    expect(atom.find((l) => l.attributes.rel === 'hub')?.attributes.href).toBe(`${ORIGIN}/hub`)
    expect((await (await get('/feed.json')).json<{ hubs: unknown }>()).hubs).toEqual([{ type: 'WebSub', url: `${ORIGIN}/hub` }])
  })
})

describe('POST /hub', () => {
  it('accepts a subscription with 202 and queues its verification, lease clamped to the bounds', async () => {
    const hub = hubWorker(content)
    // However many digits: a whole number is clamped, not refused (11 digits and more were a 400).
    for (const [lease, expected] of [['10', 3600], ['999999999', 2592000], ['99999999999', 2592000], ['1'.repeat(400), 2592000], ['', 864000], ['86400', 86400]] as const) {
      const res = await hub.subscribe({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': CALLBACK, 'hub.lease_seconds': lease, 'hub.secret': 's3cret' })
      expect(res.status).toBe(202)
      expect(hub.jobs.at(-1)).toEqual({ kind: 'verify', mode: 'subscribe', topic: TOPIC, callback: CALLBACK, leaseSeconds: expected, secret: 's3cret', requestedAt: expect.any(Number) })
    }
  })

  it.each([
    [{ 'hub.topic': TOPIC, 'hub.callback': CALLBACK }, 'hub.mode must be subscribe or unsubscribe'],
    [{ 'hub.mode': 'publish', 'hub.url': TOPIC }, 'hub.mode=publish is not taken here'],
    [{ 'hub.mode': 'subscribe', 'hub.callback': CALLBACK }, 'hub.topic is required'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': 'https://elsewhere.example/feed.xml', 'hub.callback': CALLBACK }, "hub.topic must be one of this site's feed URLs"],
    [{ 'hub.mode': 'subscribe', 'hub.topic': `${TOPIC}?before=00000000000000`, 'hub.callback': CALLBACK }, "hub.topic must be one of this site's feed URLs"],
    [{ 'hub.mode': 'subscribe', 'hub.topic': `${ORIGIN}/tags/nope/feed.xml`, 'hub.callback': CALLBACK }, "hub.topic must be one of this site's feed URLs"],
    // One spelling per feed: another would be a second subscription to it, delivered twice.
    // %66 is f: §5.1.1 "Hubs MUST always decode non-reserved characters".
    ...[TOPIC.toUpperCase().replace('/FEED.XML', '/feed.xml'), `${TOPIC}?`, `${ORIGIN}/./feed.xml`, `${ORIGIN}/a/../feed.xml`, `${ORIGIN}/%66eed.xml`].map((topic): [Record<string, string>, string] => [
      { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': CALLBACK },
      `hub.topic must be written as the feed's rel="self" URL: ${TOPIC}`,
    ]),
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC }, 'hub.callback is required'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': '/relative' }, 'hub.callback must be an absolute http(s) URL'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': 'ftp://subscriber.example/' }, 'hub.callback must be an absolute http(s) URL'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': 'https://user:pw@subscriber.example/' }, 'hub.callback must not carry credentials'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': `${ORIGIN}/hub` }, 'hub.callback must not be on this site'],
    // One spelling per callback: with a trailing space the verification went to /cb%20 and deliveries to /cb.
    ...[`${CALLBACK} `, `${CALLBACK}\u0001`, `${CALLBACK}\t`, 'HTTPS://subscriber.example/cb', 'https://subscriber.example/./cb', 'https://subscriber.example:443/cb', 'https://subscriber.example/%63b'].map((callback): [Record<string, string>, string] => [
      { 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': callback },
      `hub.callback must be written as the URL parser writes it, with no unreserved character percent-encoded: ${CALLBACK}`,
    ]),
    // §5.1.1: an unreserved character is decoded (so `%7Ebob` and `~bob` are one subscription), other escapes in upper case.
    ...[['https://subscriber.example/%7Ebob/cb?x=%2f', 'https://subscriber.example/~bob/cb?x=%2F'], ['https://subscriber.example/cb?k=%41%2d', 'https://subscriber.example/cb?k=A-']].map(([callback, written]): [Record<string, string>, string] => [
      { 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': callback! },
      `hub.callback must be written as the URL parser writes it, with no unreserved character percent-encoded: ${written}`,
    ]),
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': CALLBACK, 'hub.secret': 'x'.repeat(200) }, 'hub.secret must be less than 200 bytes'],
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': CALLBACK, 'hub.lease_seconds': '-5' }, 'hub.lease_seconds must be a whole number'],
    // An empty key is no HMAC key: every delivery of the subscription would fail to be signed.
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': CALLBACK, 'hub.secret': '' }, 'hub.secret must not be empty'],
  ])('refuses %o with 400 and a reason', async (form, reason) => {
    const res = await hubWorker(content).subscribe(form as Record<string, string>)
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(await res.text()).toContain(reason)
  })

  it('refuses a parameter given twice', async () => {
    const hub = hubWorker(content)
    const res = await hub.request('/hub', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `hub.mode=subscribe&hub.mode=unsubscribe&hub.topic=${encodeURIComponent(TOPIC)}` })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('hub.mode is given 2 times')
  })

  it('ignores parameters it does not understand, given twice or not, and an unsubscribe\'s hub.lease_seconds (§5.1 "MUST be ignored")', async () => {
    const hub = hubWorker(content)
    const base = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': CALLBACK }).toString()
    const res = await hub.request('/hub', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `${base}&utm_source=a&utm_source=b&hub.extra=1&hub.extra=2` })
    expect(res.status, await res.clone().text()).toBe(202)
    for (const lease of ['-5', 'abc', '3600.0']) {
      const unsubscribe = await hub.subscribe({ 'hub.mode': 'unsubscribe', 'hub.topic': TOPIC, 'hub.callback': CALLBACK, 'hub.lease_seconds': lease })
      expect(unsubscribe.status, `hub.lease_seconds=${lease}: ${await unsubscribe.clone().text()}`).toBe(202)
    }
  })

  it('refuses other media types (415) and oversized bodies (413)', async () => {
    const hub = hubWorker(content)
    expect((await hub.request('/hub', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(415)
    const big = await hub.request('/hub', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'hub.mode=subscribe&x=' + 'a'.repeat(20_000) })
    expect(big.status).toBe(413)
  })

  it('rate-limits subscription requests per callback (429 with Retry-After)', async () => {
    const hub = hubWorker(content, { HUB_RATE_LIMIT: '3' })
    const form = { 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': CALLBACK }
    for (let i = 0; i < 3; i++) expect((await hub.subscribe(form)).status).toBe(202)
    const limited = await hub.subscribe(form)
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await hub.subscribe({ ...form, 'hub.callback': 'https://other.example/cb' })).status).toBe(202)
  })

  it("rate-limits all of a host's callbacks together too: other paths and queries have no allowance of their own", async () => {
    const hub = hubWorker(content, { HUB_RATE_LIMIT: '3', HUB_HOST_RATE_LIMIT: '5' })
    const form = (callback: string) => ({ 'hub.mode': 'unsubscribe', 'hub.topic': TOPIC, 'hub.callback': callback })
    for (let i = 0; i < 5; i++) expect((await hub.subscribe(form(`${CALLBACK}?n=${i}`))).status).toBe(202)
    const limited = await hub.subscribe(form(`${CALLBACK}?n=5`))
    expect(limited.status).toBe(429)
    expect(await limited.text()).toContain("too many requests for this callback's host")
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await hub.subscribe(form('https://other.example/cb'))).status).toBe(202)
    // Five verifications queued, not six.
    expect(hub.jobs.filter((j) => j.kind === 'verify' && j.callback.startsWith(CALLBACK))).toHaveLength(5)
  })

  it('counts a host however it is spelt: trailing dots give it no allowance of its own', async () => {
    const hub = hubWorker(content, { HUB_RATE_LIMIT: '100', HUB_HOST_RATE_LIMIT: '2' })
    const form = (callback: string) => ({ 'hub.mode': 'unsubscribe', 'hub.topic': TOPIC, 'hub.callback': callback })
    expect((await hub.subscribe(form('https://victim.example/a'))).status).toBe(202)
    expect((await hub.subscribe(form('https://victim.example/b'))).status).toBe(202)
    const statuses = []
    for (const callback of ['https://victim.example/c', 'https://victim.example./c', 'https://victim.example../d', 'https://victim.example.../e']) {
      statuses.push((await hub.subscribe(form(callback))).status)
    }
    expect(statuses).toEqual([429, 429, 429, 429])
    expect((await hub.subscribe(form('https://other.example/a'))).status).toBe(202)
  })

  it('answers other methods with 405 and Allow', async () => {
    const res = await get('/hub', { method: 'PUT', body: 'x' })
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS')
  })
})

describe('the callback policy (no request reaches an address it should not)', () => {
  const production = { HUB_ALLOW_LOOPBACK: 'false' }
  it.each([
    'http://127.0.0.1/cb', 'http://127.1.2.3/cb', 'http://localhost/cb', 'http://sub.localhost/cb', 'http://[::1]/cb',
    'http://10.0.0.5/cb', 'http://172.16.0.1/cb', 'http://192.168.1.10/cb', 'http://100.64.0.1/cb', 'http://0.0.0.0/cb',
    'http://169.254.169.254/latest/meta-data/', 'http://metadata.google.internal/computeMetadata/v1/', 'http://[fd00::1]/cb',
    'http://[fe80::1]/cb', 'http://[::ffff:10.0.0.1]/cb', 'http://2130706433/cb', 'http://0x7f.1/cb', 'http://intranet/cb',
    'https://subscriber.example:8443/cb', 'http://224.0.0.1/cb',
    // A trailing dot names the same host (an absolute DNS name).
    'http://localhost./cb', 'http://LOCALHOST./cb', 'http://foo.internal./cb', 'http://metadata.google.internal./computeMetadata/v1/',
    'http://metadata./cb', 'http://127.0.0.1./cb', 'http://sub.localhost../cb',
    // Every IPv4 spelling of loopback and private addresses.
    'http://0177.0.0.1/cb', 'http://0x7f000001/cb', 'http://127.1/cb', 'http://017700000001/cb', 'http://0x0a.0.0.1/cb', 'http://3232235777/cb',
    'http://0/cb', 'http://255.255.255.255/cb', 'http://192.0.2.1/cb', 'http://198.18.0.1/cb',
    // IPv6: compatible, mapped (both spellings), NAT64, 6to4, Teredo, site-local, documentation, unspecified.
    'http://[::127.0.0.1]/cb', 'http://[::7f00:1]/cb', 'http://[::ffff:127.0.0.1]/cb', 'http://[::ffff:7f00:1]/cb', 'http://[0:0:0:0:0:ffff:a00:1]/cb',
    'http://[64:ff9b::7f00:1]/cb', 'http://[2002:7f00:1::]/cb', 'http://[2001:0::1]/cb', 'http://[fec0::1]/cb', 'http://[2001:db8::1]/cb', 'http://[::]/cb',
    'http://[0::1]/cb', 'http://[ff02::1]/cb', 'http://[fe80::1%25eth0]/cb',
    // Internal names, single labels and reserved suffixes.
    'http://printer.local/cb', 'http://db.corp/cb', 'http://router.home.arpa/cb', 'http://svc.test/cb', 'http://x.invalid/cb', 'http://metadata/cb',
    'http://%6c%6fcalhost/cb',
  ])('refuses %s in production', async (callback) => {
    const res = await hubWorker(content, production).subscribe({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': callback })
    expect(res.status, callback).toBe(400)
    expect(await res.text(), callback).toMatch(/^hub\.callback /)
  })

  // Written as the URL parser writes them (`https://SUBSCRIBER.example./cb` is refused as a spelling, not as an address).
  it.each(['https://subscriber.example/cb', 'http://93.184.215.14/cb', 'https://[2606:4700:4700::1111]/cb', 'https://subscriber.example./cb'])(
    'accepts the public address %s in production',
    async (callback) => {
      const res = await hubWorker(content, production).subscribe({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': callback })
      expect(res.status, callback).toBe(202)
    },
  )

  it.each(['https://news.example.com/cb', 'https://news.example.com./cb', 'http://news.example.com/cb', 'https://NEWS.Example.COM/cb', 'https://news.example.com:8443/cb'])(
    'never calls this site itself (%s), whatever the scheme, case, port or trailing dot',
    async (callback) => {
      const site = { ...production, SITE_URL: 'https://news.example.com' }
      const res = await hubWorker(content, site).subscribe({ 'hub.mode': 'subscribe', 'hub.topic': 'https://news.example.com/feed.xml', 'hub.callback': callback })
      expect(res.status, callback).toBe(400)
      expect(await res.text()).toContain('hub.callback must not be on this site')
    },
  )

  it('checks the callback again when it calls, refusing one the policy no longer admits', async () => {
    const hub = hubWorker(content, production)
    const calls = fakeSubscriber(echoChallenge)
    const result = await runJobs(hub.env, await hub.herald(), [{ kind: 'verify', mode: 'subscribe', topic: TOPIC, callback: 'http://localhost./cb', leaseSeconds: 3600 }])
    expect(result.explicitAcks).toEqual(['m0'])
    expect(calls).toHaveLength(0)
  })

  it('allows loopback on any port when HUB_ALLOW_LOOPBACK is on (development and tests)', async () => {
    const res = await hubWorker(content, { HUB_ALLOW_LOOPBACK: 'true' }).subscribe({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': 'http://127.0.0.1:9876/cb' })
    expect(res.status).toBe(202)
  })

  it.each(['http://127.0.0.1:8787/cb', 'http://localhost:8787/cb', 'http://[::1]:8787/cb', 'http://127.1:8787/cb', 'http://localhost.:8787/cb'])(
    'under HUB_ALLOW_LOOPBACK still never calls the dev server itself (%s): every loopback name is its host',
    async (callback) => {
      const dev = { HUB_ALLOW_LOOPBACK: 'true', SITE_URL: 'http://localhost:8787' }
      const res = await hubWorker(content, dev).subscribe({ 'hub.mode': 'subscribe', 'hub.topic': 'http://localhost:8787/feed.xml', 'hub.callback': callback })
      expect(res.status, callback).toBe(400)
      expect(await res.text()).toContain('hub.callback must not be on this site')
    },
  )

  it('never follows a redirect from a subscriber', async () => {
    const hub = hubWorker(content)
    const calls = fakeSubscriber(() => new Response(null, { status: 302, headers: { Location: 'http://169.254.169.254/' } }))
    await runJobs(hub.env, await hub.herald(), [{ kind: 'verify', mode: 'subscribe', topic: TOPIC, callback: CALLBACK, leaseSeconds: 3600 }])
    expect(calls).toHaveLength(1)
    expect(calls[0]!.redirect).toBe('manual')
    expect(await subscribers(env, TOPIC, Date.now())).toEqual([])
  })
})

describe('verification of intent', () => {
  const verify = (mode: 'subscribe' | 'unsubscribe', extra = {}) => ({ kind: 'verify' as const, mode, topic: TOPIC, callback: CALLBACK, leaseSeconds: 7200, ...extra })

  it('GETs the callback with hub.mode, hub.topic, hub.challenge and hub.lease_seconds, and subscribes on an exact echo', async () => {
    const hub = hubWorker(content)
    const calls = fakeSubscriber(echoChallenge)
    const result = await runJobs(hub.env, await hub.herald(), [verify('subscribe', { secret: 'k' })])
    expect(result.explicitAcks).toEqual(['m0'])
    const q = calls[0]!.url.searchParams
    expect(calls[0]!.method).toBe('GET')
    expect([q.get('hub.mode'), q.get('hub.topic'), q.get('hub.lease_seconds')]).toEqual(['subscribe', TOPIC, '7200'])
    expect(q.get('hub.challenge')).toMatch(/^[0-9a-f]{48}$/)
    const [s] = await subscribers(env, TOPIC, Date.now())
    expect(s).toMatchObject({ callback: CALLBACK, secret: 'k', leaseSeconds: 7200 })
  })

  it('keeps the callback query byte for byte and appends its own parameters (§5.3)', async () => {
    const hub = hubWorker(content)
    const calls = fakeSubscriber(echoChallenge)
    const callback = 'https://subscriber.example/cb?foo=bar&x=1&flag&tok=a~b%2Fc'
    await runJobs(hub.env, await hub.herald(), [verify('subscribe', { callback })])
    const href = calls[0]!.url.href
    expect(href.startsWith(`${callback}&hub.mode=subscribe&hub.topic=`)).toBe(true)
    expect(calls[0]!.url.searchParams.get('hub.topic')).toBe(TOPIC)
    expect((await subscribers(env, TOPIC, Date.now())).map((s) => s.callback)).toEqual([callback])
  })

  it.each([
    ['a 2xx without the challenge', () => new Response('ok')],
    ['the challenge with extra text', (c: { url: URL }) => new Response(`${c.url.searchParams.get('hub.challenge')}\n`)],
    ['a 404', () => new Response('no', { status: 404 })],
    // §5.3: the body is the challenge; a decoder that drops a leading byte-order mark made it so.
    ['the challenge after a byte-order mark', (c: { url: URL }) => new Response(`\uFEFF${c.url.searchParams.get('hub.challenge')}`)],
  ])('does not subscribe on %s', async (_, answer) => {
    const hub = hubWorker(content)
    fakeSubscriber(answer)
    const result = await runJobs(hub.env, await hub.herald(), [verify('subscribe')])
    expect(result.explicitAcks).toEqual(['m0'])
    expect(await subscribers(env, TOPIC, Date.now())).toEqual([])
  })

  it('retries a verification that met a 5xx or no answer', async () => {
    const hub = hubWorker(content)
    fakeSubscriber(() => new Response('down', { status: 503 }))
    const result = await runJobs(hub.env, await hub.herald(), [verify('subscribe')])
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m0'])
    expect(result.delays).toEqual({ m0: 2 })
  })

  it('renews the lease and replaces the secret on re-subscription, keeping one subscription', async () => {
    const hub = hubWorker(content)
    fakeSubscriber(echoChallenge)
    await runJobs(hub.env, await hub.herald(), [verify('subscribe', { secret: 'old', leaseSeconds: 3600 })])
    await runJobs(hub.env, await hub.herald(), [verify('subscribe', { secret: 'new', leaseSeconds: 86400 })])
    const subs = await subscribers(env, TOPIC, Date.now())
    expect(subs).toHaveLength(1)
    expect(subs[0]).toMatchObject({ secret: 'new', leaseSeconds: 86400 })
    expect(subs[0]!.expiresAt).toBeGreaterThan(Date.now() + 86000_000)
  })

  it('lets the later of two requests stand, whichever is verified last (§5.1): a retried older one changes nothing', async () => {
    const hub = hubWorker(content)
    const t = Date.now()
    const older = verify('subscribe', { secret: 'old-secret', leaseSeconds: 3600, requestedAt: t - 60_000 })
    const newer = verify('subscribe', { secret: 'new-secret', leaseSeconds: 864000, requestedAt: t - 1_000 })
    // The first request meets the subscriber restarting, and is retried later ...
    fakeSubscriber(() => new Response('restarting', { status: 503 }))
    expect((await runJobs(hub.env, await hub.herald(), [older])).retryMessages).toHaveLength(1)
    vi.restoreAllMocks()
    // ... after the subscriber asked again with a new secret, and that one was verified.
    fakeSubscriber(echoChallenge)
    await runJobs(hub.env, await hub.herald(), [newer])
    const retried = await runJobs(hub.env, await hub.herald(), [older], { attempts: 2 })
    expect(retried.explicitAcks).toEqual(['m0'])
    expect(await subscribers(env, TOPIC, Date.now())).toMatchObject([{ secret: 'new-secret', leaseSeconds: 864000 }])
    // A later unsubscribe stands against an earlier subscribe too, however late that is verified.
    await runJobs(hub.env, await hub.herald(), [verify('unsubscribe', { requestedAt: t })])
    await runJobs(hub.env, await hub.herald(), [verify('subscribe', { requestedAt: t - 500 })])
    expect(await subscribers(env, TOPIC, Date.now())).toEqual([])
    // And a request made after it subscribes again.
    await runJobs(hub.env, await hub.herald(), [verify('subscribe', { secret: 'back', requestedAt: t + 1 })])
    expect(await subscribers(env, TOPIC, Date.now())).toMatchObject([{ secret: 'back' }])
  })

  it("keeps an unsubscribe's record only as long as an earlier request's retry could arrive (14 days)", async () => {
    const hub = hubWorker(content)
    const t = Date.now()
    fakeSubscriber(echoChallenge)
    await runJobs(hub.env, await hub.herald(), [verify('unsubscribe', { requestedAt: t })])
    await publishChanges(hub.env, await hub.herald(), t + 13 * 86_400_000)
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM subscriptions').first('n')).toBe(1)
    await publishChanges(hub.env, await hub.herald(), t + 15 * 86_400_000)
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM subscriptions').first('n')).toBe(0)
  })

  it('unsubscribes only when the subscriber confirms', async () => {
    const hub = hubWorker(content)
    fakeSubscriber(echoChallenge)
    await runJobs(hub.env, await hub.herald(), [verify('subscribe')])
    vi.restoreAllMocks()
    fakeSubscriber(() => new Response('not me', { status: 404 }))
    await runJobs(hub.env, await hub.herald(), [verify('unsubscribe')])
    expect(await subscribers(env, TOPIC, Date.now())).toHaveLength(1)
    vi.restoreAllMocks()
    const calls = fakeSubscriber(echoChallenge)
    await runJobs(hub.env, await hub.herald(), [verify('unsubscribe')])
    expect(calls[0]!.url.searchParams.get('hub.mode')).toBe('unsubscribe')
    expect(calls[0]!.url.searchParams.has('hub.lease_seconds')).toBe(false)
    expect(await subscribers(env, TOPIC, Date.now())).toEqual([])
  })

  it('sends the spec’s denied callback when a subscription cannot be honoured', async () => {
    const hub = hubWorker(content, { HUB_MAX_SUBSCRIBERS: '1' })
    fakeSubscriber(echoChallenge)
    await runJobs(hub.env, await hub.herald(), [verify('subscribe')])
    vi.restoreAllMocks()
    const calls = fakeSubscriber(echoChallenge)
    await runJobs(hub.env, await hub.herald(), [verify('subscribe', { callback: 'https://second.example/cb' })])
    expect(calls).toHaveLength(1)
    const q = calls[0]!.url.searchParams
    expect([calls[0]!.url.origin, q.get('hub.mode'), q.get('hub.topic')]).toEqual(['https://second.example', 'denied', TOPIC])
    expect(q.get('hub.reason')).toContain('subscriber limit')
    expect((await subscribers(env, TOPIC, Date.now())).map((s) => s.callback)).toEqual([CALLBACK])
  })

  it('goes through the real queue binding: POST /hub, then the consumer verifies', async () => {
    fakeSubscriber(echoChallenge)
    const res = await exports.default.fetch(new Request(`${ORIGIN}/hub`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': 'https://queued.example/cb' }).toString(),
    }))
    expect(res.status).toBe(202)
    await vi.waitFor(async () => expect((await subscribers(env, TOPIC, Date.now())).map((s) => s.callback)).toEqual(['https://queued.example/cb']), { timeout: 15_000, interval: 200 })
  })
})

describe('noticing changes and delivering them', () => {
  const NOW = Date.parse('2025-06-01T12:00:00Z')
  const old = article({ id: 'tag:test.example,2024:old', published: '2025-05-01T00:00:00Z', tags: ['Elsewhere'] })
  const scheduled = article({ id: 'tag:test.example,2024:new', published: '2025-06-01T12:30:00Z', section: 'news', tags: ['Russia'], authors: ['newsroom'] })
  const site = collection([old, scheduled])

  // Leases are measured against the real clock by the consumer, so they start now.
  async function subscribe(topic: string, callback = CALLBACK, secret: string | null = null, now = Date.now()) {
    await upsertSubscription(env, { topic, callback, secret, leaseSeconds: 86400, expiresAt: now + 86400_000 }, now)
  }

  it('fans one new story out to the home, section, tag and author topics in all three formats, and nothing else', async () => {
    // Deployed before the story's instant, as a newsroom schedules one.
    const hub = hubWorker(site, {}, new Date(NOW))
    const formats = ['feed.xml', 'atom.xml', 'feed.json']
    const touched = ['', '/sections/news', '/tags/russia', '/authors/newsroom'].flatMap((p) => formats.map((f) => `${ORIGIN}${p}/${f}`))
    const untouched = `${ORIGIN}/tags/elsewhere/feed.xml`
    for (const t of [...touched, untouched]) await subscribe(t)
    // Baseline before the story goes live: everything is new to the hub once, then quiet.
    await publishChanges(hub.env, await hub.herald(), NOW)
    hub.jobs.length = 0
    expect((await publishChanges(hub.env, await hub.herald(), NOW)).changedTopics).toEqual([])
    const report = await publishChanges(hub.env, await hub.herald(), NOW + HOUR)
    expect(report.changedTopics.sort()).toEqual(touched.sort())
    expect(report.deliveriesQueued).toBe(12)
    expect(hub.jobs.map((j) => j.kind === 'deliver' && j.topic).sort()).toEqual(touched.sort())
  })

  it('POSTs the full body with its Content-Type, Link and a verifiable X-Hub-Signature', async () => {
    const hub = hubWorker(site)
    await subscribe(TOPIC, CALLBACK, 'subscriber-secret')
    await subscribe(TOPIC, 'https://nosecret.example/cb')
    await publishChanges(hub.env, await hub.herald(), NOW)
    const calls = fakeSubscriber(echoChallenge)
    const result = await runJobs(hub.env, await hub.herald(), hub.jobs)
    expect(result.explicitAcks).toEqual(['m0', 'm1'])
    const feed = await (await hub.request('/feed.xml')).text()
    const signed = calls.find((c) => c.url.href === CALLBACK)!
    expect(signed.method).toBe('POST')
    expect(signed.body).toBe(feed)
    expect(signed.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8')
    expect(signed.headers.get('link')).toBe(`<${ORIGIN}/hub>; rel="hub", <${TOPIC}>; rel="self"`)
    expect(signed.headers.get('x-hub-signature')).toBe(`sha256=${await hmacHex('subscriber-secret', feed)}`)
    expect(calls.find((c) => c.url.href === 'https://nosecret.example/cb')!.headers.has('x-hub-signature')).toBe(false)
  })

  it('retries a failed delivery with growing delays, and never sends a delivered change twice', async () => {
    const hub = hubWorker(site)
    await subscribe(TOPIC)
    await publishChanges(hub.env, await hub.herald(), NOW)
    const job = hub.jobs[0]!
    fakeSubscriber(() => new Response('oops', { status: 500 }))
    expect((await runJobs(hub.env, await hub.herald(), [job], { attempts: 1 })).delays).toEqual({ m0: 2 })
    expect((await runJobs(hub.env, await hub.herald(), [job], { attempts: 3 })).delays).toEqual({ m0: 8 })
    vi.restoreAllMocks()
    const calls = fakeSubscriber(() => new Response(null, { status: 204 }))
    expect((await runJobs(hub.env, await hub.herald(), [job], { attempts: 4 })).explicitAcks).toEqual(['m0'])
    expect((await runJobs(hub.env, await hub.herald(), [job], { attempts: 5 })).explicitAcks).toEqual(['m0'])
    expect(calls).toHaveLength(1)
    // Three runs of the job (the queue's own count said 4): the record says what really happened.
    expect(await deliveryRecords(env)).toMatchObject([{ callback: CALLBACK, outcome: 'delivered', attempts: 3 }])
  })

  it('retries a delivery that timed out', async () => {
    const hub = hubWorker(site)
    await subscribe(TOPIC)
    await publishChanges(hub.env, await hub.herald(), NOW)
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new DOMException('timed out', 'TimeoutError'))
    expect((await runJobs(hub.env, await hub.herald(), hub.jobs)).retryMessages).toHaveLength(1)
  })

  it('records a delivery that exhausted its retries (dead-letter queue) with the real number of attempts', async () => {
    const hub = hubWorker(site)
    await subscribe(TOPIC)
    await publishChanges(hub.env, await hub.herald(), NOW)
    fakeSubscriber(() => new Response('oops', { status: 500 }))
    for (let attempt = 1; attempt <= 7; attempt++) {
      expect((await runJobs(hub.env, await hub.herald(), hub.jobs, { attempts: attempt })).retryMessages).toHaveLength(1)
    }
    // The dead-letter queue counts its own attempts from 1 again.
    const result = await runJobs(hub.env, await hub.herald(), hub.jobs, { queue: 'herald-hub-dead', attempts: 1 })
    expect(result.explicitAcks).toEqual(['m0'])
    expect(await deliveryRecords(env)).toMatchObject([{ topic: TOPIC, callback: CALLBACK, outcome: 'dead', attempts: 7, detail: 'retries exhausted; last: delivery attempt 7: HTTP 500' }])
  })

  it('records a dead letter that never ran as one attempt', async () => {
    const hub = hubWorker(site)
    await subscribe(TOPIC)
    await publishChanges(hub.env, await hub.herald(), NOW)
    await runJobs(hub.env, await hub.herald(), hub.jobs, { queue: 'herald-hub-dead' })
    expect(await deliveryRecords(env)).toMatchObject([{ outcome: 'dead', attempts: 1, detail: 'retries exhausted' }])
  })

  it('delivers a change published while an earlier one is being retried exactly once, and never one body twice', async () => {
    // Deployed before the scheduled story: the first change is the feed without it.
    const hub = hubWorker(site, {}, new Date(NOW))
    await subscribe(TOPIC, CALLBACK, 'k')
    await env.DB.prepare('INSERT INTO topic_state (topic, fingerprint, changed_at) VALUES (?1, ?2, ?3)').bind(TOPIC, '"baseline"', NOW).run()
    await publishChanges(hub.env, await hub.herald(), NOW)
    const [first] = hub.jobs.splice(0)
    fakeSubscriber(() => new Response('busy', { status: 503 }))
    expect((await runJobs(hub.env, await hub.herald(), [first!])).retryMessages).toHaveLength(1)
    vi.restoreAllMocks()

    // The scheduled story goes live: a second change, a second job, while the first is still retried.
    await publishChanges(hub.env, await hub.herald(), NOW + HOUR)
    const [second] = hub.jobs.splice(0)
    expect(second!.kind === 'deliver' && first!.kind === 'deliver' && second!.fingerprint !== first!.fingerprint).toBe(true)

    const posts = fakeSubscriber(() => new Response(null, { status: 204 }))
    // The old job runs first (its retry came due), then the new one, then each is redelivered once more.
    for (const job of [first!, second!, first!, second!]) expect((await runJobs(hub.env, await hub.herald(), [job], { attempts: 2 })).explicitAcks).toEqual(['m0'])
    const feed = await (await hub.request('/feed.xml')).text()
    expect(posts.map((p) => p.body)).toEqual([feed])
    expect(posts[0]!.headers.get('x-hub-signature')).toBe(`sha256=${await hmacHex('k', feed)}`)
    const etag = (await hub.request('/feed.xml')).headers.get('etag')
    expect(await deliveryRecords(env)).toMatchObject([{ fingerprint: etag, outcome: 'delivered' }])
  })

  it('delivers a body that comes back (a correction reverted): only the body last delivered is not sent again', async () => {
    const before = hubWorker(collection([old]))
    const after = hubWorker(collection([old, article({ id: 'tag:test.example,2024:other', slug: 'other', published: '2025-05-02T00:00:00Z' })]))
    await subscribe(TOPIC)
    const posts = fakeSubscriber(() => new Response(null, { status: 204 }))
    const job = (n: number) => ({ kind: 'deliver' as const, topic: TOPIC, callback: CALLBACK, fingerprint: `"change-${n}"` })
    // A, then B, then A again; each job run twice, as a queue may redeliver.
    for (const [n, hub] of [[1, before], [1, before], [2, after], [2, after], [3, before], [3, before]] as const) {
      expect((await runJobs(hub.env, await hub.herald(), [job(n)])).explicitAcks).toEqual(['m0'])
    }
    const bodyA = await (await before.request('/feed.xml')).text()
    const bodyB = await (await after.request('/feed.xml')).text()
    expect(bodyA).not.toBe(bodyB)
    expect(posts.map((p) => p.body)).toEqual([bodyA, bodyB, bodyA])
  })

  it("keeps its records bounded: the hour's first run prunes old deliveries but each live subscription's last, old attempt counts and past rate-limit windows", async () => {
    const hub = hubWorker(site)
    const now = Math.floor(Date.now() / HOUR) * HOUR
    const DAY = 86_400_000
    await subscribe(TOPIC)
    const delivery = (fingerprint: string, callback: string, outcome: string, at: number) =>
      env.DB.prepare('INSERT INTO deliveries (topic, fingerprint, callback, outcome, attempts, detail, settled_at) VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6)').bind(TOPIC, fingerprint, callback, outcome, '', at).run()
    await delivery('"a"', CALLBACK, 'delivered', now - 60 * DAY) // superseded by "b": goes
    await delivery('"b"', CALLBACK, 'delivered', now - 40 * DAY) // the subscription's last: stays, however old
    await delivery('"c"', CALLBACK, 'dead', now - 35 * DAY) // old and not a delivery: goes
    await delivery('"a"', 'https://gone.example/cb', 'delivered', now - 40 * DAY) // its subscription is gone: goes
    await delivery('"b"', 'https://gone.example/cb', 'delivered', now - DAY) // recent: stays
    for (const [fp, at] of [['"old"', now - 8 * DAY], ['"new"', now - DAY]] as const) {
      await env.DB.prepare("INSERT INTO delivery_attempts (topic, fingerprint, callback, attempts, detail, updated_at) VALUES (?1, ?2, ?3, 1, '', ?4)").bind(TOPIC, fp, CALLBACK, at).run()
    }
    for (const [key, at] of [['https://old.example/cb', now - 2 * HOUR], ['https://new.example/cb', now - 600_000]] as const) {
      await env.DB.prepare('INSERT INTO hub_requests (callback, window_start, count) VALUES (?1, ?2, 1)').bind(key, at).run()
    }
    const rows = async (sql: string) => (await env.DB.prepare(sql).all()).results
    // Any other minute's run leaves them.
    await publishChanges(hub.env, await hub.herald(), now + 60_000)
    expect(await rows('SELECT fingerprint FROM deliveries')).toHaveLength(5)
    await publishChanges(hub.env, await hub.herald(), now)
    expect(await rows('SELECT fingerprint, callback FROM deliveries ORDER BY settled_at')).toEqual([
      { fingerprint: '"b"', callback: CALLBACK },
      { fingerprint: '"b"', callback: 'https://gone.example/cb' },
    ])
    expect(await rows('SELECT fingerprint FROM delivery_attempts')).toEqual([{ fingerprint: '"new"' }])
    expect(await rows('SELECT callback FROM hub_requests')).toEqual([{ callback: 'https://new.example/cb' }])
  })

  it("prunes the fediverse's records in the same run: activities and settled deliveries older than a month (no queue message lives that long)", async () => {
    const hub = hubWorker(site)
    const now = Math.floor(Date.now() / HOUR) * HOUR
    const DAY = 86_400_000
    for (const table of ['ap_activities', 'ap_deliveries']) await env.DB.exec(`DELETE FROM ${table}`)
    for (const [id, at] of [['https://herald.test/old', now - 31 * DAY], ['https://herald.test/new', now - 29 * DAY]] as const) {
      await env.DB.prepare("INSERT INTO ap_activities (id, actor, type, body, created_at) VALUES (?1, 'news', 'Create', '{}', ?2)").bind(id, at).run()
      await env.DB.prepare("INSERT INTO ap_deliveries (activity_id, inbox, outcome, attempts, detail, settled_at) VALUES (?1, 'https://r.example/inbox', 'delivered', 1, '', ?2)").bind(id, at).run()
    }
    await publishChanges(hub.env, await hub.herald(), now)
    const rows = async (sql: string) => (await env.DB.prepare(sql).all()).results
    expect(await rows('SELECT id FROM ap_activities')).toEqual([{ id: 'https://herald.test/new' }])
    expect(await rows('SELECT activity_id FROM ap_deliveries')).toEqual([{ activity_id: 'https://herald.test/new' }])
  })

  it('lets only one of two overlapping jobs for a subscription send; the other retries and then sends nothing', async () => {
    const hub = hubWorker(site, {}, new Date(NOW))
    await subscribe(TOPIC)
    await env.DB.prepare('INSERT INTO topic_state (topic, fingerprint, changed_at) VALUES (?1, ?2, ?3)').bind(TOPIC, '"baseline"', NOW).run()
    await publishChanges(hub.env, await hub.herald(), NOW)
    await publishChanges(hub.env, await hub.herald(), NOW + HOUR)
    expect(hub.jobs).toHaveLength(2)
    const posts = fakeSubscriber(async () => {
      await scheduler.wait(200)
      return new Response(null, { status: 204 })
    })
    const together = await runJobs(hub.env, await hub.herald(), hub.jobs)
    expect(together.explicitAcks).toHaveLength(1)
    expect(together.retryMessages).toHaveLength(1)
    const retried = hub.jobs[Number(together.retryMessages[0]!.msgId.slice(1))]!
    expect((await runJobs(hub.env, await hub.herald(), [retried], { attempts: 2 })).explicitAcks).toEqual(['m0'])
    expect(posts).toHaveLength(1)
  })

  it('delivers a batch concurrently: a subscriber that hangs delays no other, and each message is settled on its own', async () => {
    const hub = hubWorker(site)
    const callbacks = ['https://hangs.example/cb', 'https://a.example/cb', 'https://b.example/cb', 'https://c.example/cb']
    for (const callback of callbacks) await subscribe(TOPIC, callback)
    await publishChanges(hub.env, await hub.herald(), NOW)
    expect(hub.jobs.map((j) => j.kind === 'deliver' && j.callback)).toEqual([...callbacks].sort())
    const answered: string[] = []
    let release!: () => void
    const others = new Promise<void>((resolve) => (release = resolve))
    fakeSubscriber(async (call) => {
      if (call.url.hostname === 'hangs.example') {
        // Answers (with a failure) only once every other subscriber has been served, or after 3 s.
        await Promise.race([others, scheduler.wait(3000)])
        answered.push(call.url.hostname)
        return new Response('timeout', { status: 504 })
      }
      answered.push(call.url.hostname)
      if (answered.length === callbacks.length - 1) release()
      return new Response(null, { status: 204 })
    })
    const jobs = [...hub.jobs].sort((a, b) => (a.kind === 'deliver' && a.callback.includes('hangs') ? -1 : b.kind === 'deliver' && b.callback.includes('hangs') ? 1 : 0))
    const result = await runJobs(hub.env, await hub.herald(), jobs)
    expect(answered.at(-1)).toBe('hangs.example')
    expect(result.explicitAcks.sort()).toEqual(['m1', 'm2', 'm3'])
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m0'])
  })

  it('logs a failing cron run with its step, and does not throw', async () => {
    const logged: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args) => void logged.push(args.map(String).join(' ')))
    const { createScheduledController, createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test')
    const worker = (await import('../../src/index')).default
    const ctx = createExecutionContext()
    const broken = { ...env, DB: { prepare: () => { throw new Error('D1 is down') } } } as unknown as Env
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '* * * * *' }), broken, ctx)
    await waitOnExecutionContext(ctx)
    expect(logged).toEqual(['herald hub: cron * * * * *: publishing changes failed: D1 is down'])
  })

  it('checks the callback again before a delivery, sending nothing to one the policy no longer admits', async () => {
    // Subscribed while loopback was allowed (a dev database, a looser policy of an earlier deploy).
    const hub = hubWorker(site, { HUB_ALLOW_LOOPBACK: 'false' })
    await subscribe(TOPIC, 'http://127.0.0.1/cb')
    await subscribe(TOPIC, 'http://10.0.0.5/cb')
    await publishChanges(hub.env, await hub.herald(), NOW)
    const calls = fakeSubscriber(echoChallenge)
    const result = await runJobs(hub.env, await hub.herald(), hub.jobs)
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm1'])
    expect(calls).toHaveLength(0)
  })

  it('removes a subscription whose callback answers 410 Gone', async () => {
    const hub = hubWorker(site)
    await subscribe(TOPIC)
    await publishChanges(hub.env, await hub.herald(), NOW)
    fakeSubscriber(() => new Response('gone', { status: 410 }))
    expect((await runJobs(hub.env, await hub.herald(), hub.jobs)).explicitAcks).toEqual(['m0'])
    // As an unsubscribe made then (the row stays a while as its record: see "the later of two requests").
    expect(await subscribers(env, TOPIC, Date.now())).toEqual([])
  })

  it('sends nothing to a subscriber that unsubscribed before the delivery ran', async () => {
    const hub = hubWorker(site)
    await subscribe(TOPIC)
    await publishChanges(hub.env, await hub.herald(), NOW)
    await env.DB.exec('DELETE FROM subscriptions')
    const calls = fakeSubscriber(echoChallenge)
    expect((await runJobs(hub.env, await hub.herald(), hub.jobs)).explicitAcks).toEqual(['m0'])
    expect(calls).toHaveLength(0)
  })

  it('expires leases on the cron, and the cron handler runs the publish step', async () => {
    await subscribe(TOPIC, CALLBACK, null, Date.now() - 90_000_000)
    await subscribe(TOPIC, 'https://live.example/cb', null, Date.now())
    const { createScheduledController, createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test')
    const worker = (await import('../../src/index')).default
    const ctx = createExecutionContext()
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: '* * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)
    expect((await subscribers(env, TOPIC, Date.now())).map((s) => s.callback)).toEqual(['https://live.example/cb'])
    expect(await env.DB.prepare('SELECT COUNT(*) AS n FROM subscriptions').first('n')).toBe(1)
  })

  it('never logs a subscriber secret', async () => {
    const hub = hubWorker(site)
    await subscribe(TOPIC, CALLBACK, 'do-not-log-me')
    await publishChanges(hub.env, await hub.herald(), NOW)
    const logged: unknown[] = []
    for (const level of ['log', 'error', 'warn', 'info'] as const) vi.spyOn(console, level).mockImplementation((...args) => void logged.push(...args))
    vi.spyOn(globalThis, 'fetch').mockRejectedValue(new Error('boom'))
    await runJobs(hub.env, await hub.herald(), hub.jobs)
    await runJobs(hub.env, await hub.herald(), hub.jobs, { queue: 'herald-hub-dead' })
    await runJobs(hub.env, await hub.herald(), [{ kind: 'verify', mode: 'subscribe', topic: TOPIC, callback: CALLBACK, leaseSeconds: 3600, secret: 'do-not-log-me' }])
    expect(JSON.stringify(logged.map(String))).not.toContain('do-not-log-me')
  })
})

describe('POST /admin/publish', () => {
  it('requires the bearer token, compared exactly, with RFC 6750 challenges', async () => {
    const cases = [
      [undefined, 401, 'Bearer realm="herald-admin"'],
      ['Bearer wrong', 401, 'Bearer realm="herald-admin", error="invalid_token"'],
      ['Bearer test-admin-token-extra', 401, 'Bearer realm="herald-admin", error="invalid_token"'],
      ['Bearer test-admin-toke', 401, 'Bearer realm="herald-admin", error="invalid_token"'],
      // RFC 6750 §3: another scheme's credentials are no authentication for this resource: no error code.
      ['Basic dGVzdA==', 401, 'Bearer realm="herald-admin"'],
      ['Digest username="x"', 401, 'Bearer realm="herald-admin"'],
      ['Bearer', 400, 'Bearer error="invalid_request"'],
    ] as const
    for (const [auth, status, challenge] of cases) {
      const res = await get('/admin/publish', { method: 'POST', headers: auth ? { Authorization: auth } : {} })
      expect(res.status, auth).toBe(status)
      expect(res.headers.get('www-authenticate'), auth).toBe(challenge)
      expect(await res.text(), auth).toMatch(/^[a-z][^\n]+ \(40[01]\)\n$/)
      // RFC 6750 §5.1: never stored; and, like every refusal, plain text never sniffed.
      expect(res.headers.get('cache-control'), auth).toBe('no-store')
      expect(res.headers.get('x-content-type-options'), auth).toBe('nosniff')
      expect(res.headers.get('content-type'), auth).toBe('text/plain; charset=UTF-8')
    }
  })

  it('runs the publish step on demand', async () => {
    const res = await get('/admin/publish', { method: 'POST', headers: { Authorization: 'Bearer test-admin-token' } })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ expiredLeases: 0, changedTopics: [], deferredTopics: [], deliveriesQueued: 0, fediverse: { created: [], updated: [], deleted: [], deliveriesQueued: 0 } })
  })

  it('is disabled (503) when no token is set', async () => {
    const hub = hubWorker(content, { ADMIN_TOKEN: '' })
    expect((await hub.request('/admin/publish', { method: 'POST', headers: { Authorization: 'Bearer x' } })).status).toBe(503)
  })

  it('answers GET with 405 and OPTIONS with 204, both with the same Allow as /hub and the inboxes give', async () => {
    const res = await get('/admin/publish')
    expect(res.status).toBe(405)
    expect(res.headers.get('allow')).toBe('POST, OPTIONS')
    expect(await res.text()).toContain('use POST (405)')
    const options = await get('/admin/publish', { method: 'OPTIONS' })
    expect(options.status).toBe(204)
    expect(options.headers.get('allow')).toBe('POST, OPTIONS')
    // Not a CORS endpoint: no preflight headers.
    expect(options.headers.get('access-control-allow-origin')).toBeNull()
  })
})

export type { Article }
