/**
 * HTTP semantics for readers that poll millions of times (RFC 9110 / 9111): validators, 304s,
 * HEAD, Cache-Control, CORS and security headers, the edge cache, guessed URLs, browser previews.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import content from '../../content/index'
import { createApp } from '../../src/app'
import { article, collection } from '../helpers/content'
import { appFor, get, heraldOf, ORIGIN } from '../helpers/worker'
import { children, descendants, parseXml, textOf } from '../helpers/xml'

afterEach(() => vi.useRealTimers())

const PATHS = ['/feed.xml', '/atom.xml', '/feed.json', '/', `/articles/${content.articles[0]!.slug}`, '/sections/news/feed.xml', '/feeds.opml']

/** When `npm run build` made the archive under test (its manifest's builtAt): every URL's Last-Modified is no earlier. */
async function deployedAt(): Promise<Date> {
  const manifest = await env.ARCHIVE.fetch(new Request('https://archive.invalid/manifest.json'))
  return new Date((await manifest.json<{ builtAt: string }>()).builtAt)
}

describe('validators', () => {
  it.each(PATHS)('%s has a strong ETag and a Last-Modified: the deploy, as no story shown is newer', async (path) => {
    const res = await get(path)
    expect(res.status).toBe(200)
    expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{24}"$/)
    expect(res.headers.get('last-modified')).toBe((await deployedAt()).toUTCString())
  })

  it("dates a representation by its newest story when that is newer than the deploy, else by the deploy: a deploy may change any URL's bytes", async () => {
    const story = article({ published: '2025-03-01T10:00:00Z', updated: '2025-03-02T10:00:00Z' })
    for (const [built, expected] of [
      ['2025-03-01T12:00:00Z', 'Sun, 02 Mar 2025 10:00:00 GMT'],
      ['2025-03-05T12:00:00Z', 'Wed, 05 Mar 2025 12:00:00 GMT'],
    ]) {
      const app = createApp(heraldOf(collection([story]), new Date(built!)))
      for (const path of ['/feed.xml', '/atom.xml', '/feed.json', '/', `/articles/${story.slug}`, '/feeds.opml']) {
        expect((await app.request(ORIGIN + path, {}, env)).headers.get('last-modified'), `${built} ${path}`).toBe(expected)
      }
    }
  })

  it('never answers 304 to If-Modified-Since for bytes a deploy changed without a newer story (a withdrawal taken back, a new site title)', async () => {
    const kept = article({ published: '2025-03-01T10:00:00Z' })
    const pulled = article({ published: '2025-03-02T10:00:00Z' })
    const withdrawn = { ...pulled, withdrawn: { at: '2025-03-03T10:00:00Z' as const, reason: 'Legal review.' } }
    const first = createApp(heraldOf(collection([kept, withdrawn]), new Date('2025-03-04T10:00:00Z')))
    const sent = (await first.request(`${ORIGIN}/feed.xml`, {}, env)).headers.get('last-modified')!
    // The next deploy takes the withdrawal back: the feed's newest story is older than the withdrawal was.
    for (const next of [collection([kept, pulled]), { ...collection([kept, withdrawn]), site: { ...collection([kept, withdrawn]).site, title: 'Herald Daily' } }]) {
      const app = createApp(heraldOf(next, new Date('2025-03-05T10:00:00Z')))
      const res = await app.request(`${ORIGIN}/feed.xml`, { headers: { 'If-Modified-Since': sent } }, env)
      expect(res.status).toBe(200)
      expect(Date.parse(res.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(sent))
    }
  })

  it.each(PATHS)('%s answers 304 with no body and the same validators when If-None-Match matches', async (path) => {
    const full = await get(path)
    const res = await get(path, { headers: { 'If-None-Match': full.headers.get('etag')! } })
    expect(res.status).toBe(304)
    expect(await res.text()).toBe('')
    for (const h of ['etag', 'last-modified', 'cache-control', 'vary']) expect(res.headers.get(h), h).toBe(full.headers.get(h))
  })

  it('answers 304 for a list of tags containing the current one, weak or not, and for *', async () => {
    const etag = (await get('/feed.xml')).headers.get('etag')!
    for (const inm of [`"nope", ${etag}`, `W/${etag}`, `"a", W/"b" , W/${etag}`, '*']) {
      expect((await get('/feed.xml', { headers: { 'If-None-Match': inm } })).status, inm).toBe(304)
    }
  })

  it('answers 304 for a list with empty elements (RFC 9110 §5.6.1.2: recipients accept them)', async () => {
    const etag = (await get('/feed.xml')).headers.get('etag')!
    for (const inm of [`, ${etag}`, `${etag},`, `${etag},,"x"`, ` , ,W/${etag} , `, `"a",,\t, ${etag}`]) {
      expect((await get('/feed.xml', { headers: { 'If-None-Match': inm } })).status, inm).toBe(304)
    }
    for (const inm of [',', ' , ,', '"nope",,']) expect((await get('/feed.xml', { headers: { 'If-None-Match': inm } })).status, inm).toBe(200)
  })

  it('answers 200 when no tag matches', async () => {
    for (const inm of ['"nope"', 'W/"nope", "other"', 'garbage', '']) {
      expect((await get('/feed.xml', { headers: { 'If-None-Match': inm } })).status, inm).toBe(200)
    }
  })

  it('answers 200 when the current tag sits in a field that is not a list of entity tags', async () => {
    const etag = (await get('/feed.xml')).headers.get('etag')!
    // The last one: thousands of empty elements before junk, checked in linear time.
    for (const inm of [`junk${etag}junk`, `${etag} ${etag}`, `${etag};`, `${etag} ,${etag}x`, `${etag}${' , '.repeat(4000)}x`]) {
      expect((await get('/feed.xml', { headers: { 'If-None-Match': inm } })).status, inm).toBe(200)
    }
  })

  it('answers 304 to If-Modified-Since at or after Last-Modified, 200 before it or when the date is invalid', async () => {
    // Built at the story's instant, so the story's instant is the Last-Modified.
    const app = createApp(heraldOf(content, new Date('2024-03-28T23:58:00Z')))
    const ims = (value: string) => app.request(`${ORIGIN}/atom.xml`, { headers: { 'If-Modified-Since': value } }, env)
    expect((await ims('Thu, 28 Mar 2024 23:58:00 GMT')).status).toBe(304)
    expect((await ims('Fri, 29 Mar 2024 00:00:00 GMT')).status).toBe(304)
    expect((await ims('Thu, 28 Mar 2024 23:57:59 GMT')).status).toBe(200)
    expect((await ims('not a date')).status).toBe(200)
    // A day the month does not have is no date (Date.parse rolled it over to 3 March, then 304).
    expect((await ims('Mon, 31 Feb 2025 00:00:00 GMT')).status).toBe(200)
    expect((await ims('Monday, 31-Feb-25 00:00:00 GMT')).status).toBe(200)
    expect((await ims('Mon Feb 31 00:00:00 2025')).status).toBe(200)
    expect((await ims('Sat, 01 Mar 2025 00:00:00 GMT')).status).toBe(304)
    // Not HTTP-dates, though Date.parse reads them (§5.6.7, §13.1.3: ignored); a date to come is invalid too.
    for (const loose of ['2030', '2030-01-01T00:00:00Z', 'Fri, 29 Mar 2099 00:00:00 GMT']) expect((await ims(loose)).status, loose).toBe(200)
    // The obsolete forms a recipient must still accept.
    expect((await ims('Friday, 29-Mar-24 00:00:00 GMT')).status).toBe(304)
    expect((await ims('Fri Mar 29 00:00:00 2024')).status).toBe(304)
  })

  it('sends a Last-Modified dated ahead (an `updated` to come) as the last change not to come, and keeps answering If-Modified-Since of it with 304', async () => {
    // The clock is the test's: the second poll comes seconds and then a day later, not within the same second.
    vi.useFakeTimers({ toFake: ['Date'] })
    const built = Date.parse('2025-06-01T12:00:00Z')
    vi.setSystemTime(built)
    const ahead = article({ published: '2024-05-01T12:00:00Z', updated: '2030-01-02T12:00:00-05:00' })
    const later = article({ published: '2025-06-05T12:00:00Z' })
    // Built (deployed) a minute before the first poll.
    const app = createApp(heraldOf(collection([ahead, later]), new Date(built)))
    const request = (path: string, init?: RequestInit) => app.request(ORIGIN + path, init, env)
    const paths = ['/feed.xml', '/atom.xml', '/feed.json', `/articles/${ahead.slug}`, '/feeds.opml', '/']
    vi.setSystemTime(built + 60_000)
    const sent = new Map<string, string>()
    for (const path of paths) {
      const res = await request(path)
      expect(res.status, path).toBe(200)
      // Not now (that changes every second): the deploy, the last instant at which the site changed.
      expect(res.headers.get('last-modified'), path).toBe(new Date(built).toUTCString())
      sent.set(path, res.headers.get('last-modified')!)
    }
    for (const wait of [2_000, 86_400_000]) {
      vi.setSystemTime(built + 60_000 + wait)
      for (const path of paths) {
        const again = await request(path, { headers: { 'If-Modified-Since': sent.get(path)! } })
        expect(again.status, `${path} after ${wait} ms`).toBe(304)
        expect(again.headers.get('last-modified'), path).toBe(sent.get(path))
        // A date before the last change is still answered in full.
        const older = await request(path, { headers: { 'If-Modified-Since': new Date(built - 1000).toUTCString() } })
        expect(older.status, path).toBe(200)
      }
    }
    // A story going live is a change: the validator sent before it no longer validates.
    vi.setSystemTime(Date.parse('2025-06-05T12:00:01Z'))
    for (const path of ['/feed.xml', '/atom.xml', '/feed.json', '/feeds.opml', '/']) {
      const res = await request(path, { headers: { 'If-Modified-Since': sent.get(path)! } })
      expect(res.status, path).toBe(200)
      expect(res.headers.get('last-modified'), path).toBe('Thu, 05 Jun 2025 12:00:00 GMT')
    }
    // Once the date comes, it is the Last-Modified, and what was sent before it no longer validates.
    vi.setSystemTime(Date.parse('2030-01-02T17:00:01Z'))
    const res = await request('/feed.xml', { headers: { 'If-Modified-Since': sent.get('/feed.xml')! } })
    expect(res.status).toBe(200)
    expect(res.headers.get('last-modified')).toBe('Wed, 02 Jan 2030 17:00:00 GMT')
  })

  it('ignores If-Modified-Since when If-None-Match is present', async () => {
    const res = await get('/atom.xml', { headers: { 'If-None-Match': '"stale"', 'If-Modified-Since': 'Fri, 29 Mar 2024 00:00:00 GMT' } })
    expect(res.status).toBe(200)
  })

  it('answers a conditional HEAD with 304 too', async () => {
    const etag = (await get('/feed.json')).headers.get('etag')!
    const res = await get('/feed.json', { method: 'HEAD', headers: { 'If-None-Match': etag } })
    expect(res.status).toBe(304)
    expect(res.headers.get('etag')).toBe(etag)
  })
})

describe('preconditions (RFC 9110 §13.1.1, §13.1.4)', () => {
  it.each(PATHS)('%s is sent when If-Match names its ETag, or *', async (path) => {
    const full = await get(path)
    for (const value of [full.headers.get('etag')!, `"other", ${full.headers.get('etag')}`, '*']) {
      const res = await get(path, { headers: { 'If-Match': value } })
      expect(res.status, value).toBe(200)
      expect(await res.text()).toBe(await (await get(path)).text())
    }
  })

  it.each(PATHS)('%s answers 412 to an If-Match that names only other tags, saying which is current, never stored', async (path) => {
    const full = await get(path)
    const etag = full.headers.get('etag')!
    // Weak tags never match If-Match (strong comparison, §8.8.3.2), not even the current one's.
    for (const value of ['"stale"', `W/${etag}`, `junk${etag}junk`]) {
      const res = await get(path, { headers: { 'If-Match': value } })
      expect(res.status, value).toBe(412)
      expect(await res.text()).toBe(`If-Match names no current entity tag of this resource: it is now ${etag} (412)\n`)
      expect(res.headers.get('etag')).toBe(etag)
      expect(res.headers.get('cache-control')).toBe('no-store')
      expect(res.headers.get('content-type')).toBe('text/plain; charset=UTF-8')
    }
  })

  it('answers 412 to If-Unmodified-Since before Last-Modified, 200 at or after it or when the date is invalid', async () => {
    // Built at the story's instant, so the story's instant is the Last-Modified.
    const app = createApp(heraldOf(content, new Date('2024-03-28T23:58:00Z')))
    const get = (path: string, init?: RequestInit) => app.request(ORIGIN + path, init, env)
    const lm = (await get('/feed.xml')).headers.get('last-modified')!
    expect(lm).toBe('Thu, 28 Mar 2024 23:58:00 GMT')
    const at = async (value: string) => (await get('/feed.xml', { headers: { 'If-Unmodified-Since': value } })).status
    expect(await at('Thu, 28 Mar 2024 23:57:59 GMT')).toBe(412)
    expect(await at(lm)).toBe(200)
    expect(await at('Fri, 29 Mar 2024 00:00:00 GMT')).toBe(200)
    expect(await at('2000')).toBe(200)
    expect(await at('yesterday')).toBe(200)
    // 31 Feb 2024 is no date: ignored, not read as 2 March (before the Last-Modified: 412).
    expect(await at('Sat, 31 Feb 2024 00:00:00 GMT')).toBe(200)
    const res = await get('/feed.xml', { headers: { 'If-Unmodified-Since': 'Mon, 01 Jan 2024 00:00:00 GMT' } })
    expect(await res.text()).toBe(`modified since If-Unmodified-Since: Last-Modified is now ${lm} (412)\n`)
  })

  it('ignores If-Unmodified-Since when If-Match is present, and evaluates both before If-None-Match', async () => {
    const etag = (await get('/atom.xml')).headers.get('etag')!
    const old = 'Mon, 01 Jan 2024 00:00:00 GMT'
    expect((await get('/atom.xml', { headers: { 'If-Match': etag, 'If-Unmodified-Since': old } })).status).toBe(200)
    expect((await get('/atom.xml', { headers: { 'If-Match': etag, 'If-None-Match': etag } })).status).toBe(304)
    expect((await get('/atom.xml', { headers: { 'If-Match': '"stale"', 'If-None-Match': etag } })).status).toBe(412)
    expect((await get('/atom.xml', { headers: { 'If-Unmodified-Since': old, 'If-None-Match': etag } })).status).toBe(412)
  })

  it('answers a HEAD and a feed sent from memory (the fast lane) the same way', async () => {
    const path = '/tags/russia/feed.json'
    const etag = (await get(path)).headers.get('etag')!
    await get(path) // from memory now: the next GET is answered before routing
    expect((await get(path, { headers: { 'If-Match': '"stale"' } })).status).toBe(412)
    expect((await get(path, { method: 'HEAD', headers: { 'If-Match': '"stale"' } })).status).toBe(412)
    expect((await get(path, { headers: { 'If-Match': etag } })).status).toBe(200)
  })

  it('ignores preconditions where the answer is not a 200 (§13.2.1)', async () => {
    expect((await get('/tags/nope/feed.xml', { headers: { 'If-Match': '"stale"' } })).status).toBe(404)
  })
})

describe('HEAD', () => {
  it.each([...PATHS, '/feeds', '/tags/russia/atom.xml', '/icon.svg', '/icon.png'])('%s has the GET headers and no body', async (path) => {
    const [head, full] = [await get(path, { method: 'HEAD' }), await get(path)]
    expect(head.status).toBe(full.status)
    for (const h of ['content-type', 'etag', 'last-modified', 'cache-control']) expect(head.headers.get(h), h).toBe(full.headers.get(h))
    expect(await head.text()).toBe('')
  })
})

describe('caching headers', () => {
  it('sends the configured Cache-Control on feeds and pages', async () => {
    expect((await get('/feed.xml')).headers.get('cache-control')).toBe(env.FEED_CACHE_CONTROL)
    expect((await get('/')).headers.get('cache-control')).toBe(env.PAGE_CACHE_CONTROL)
    const custom = appFor(content, { FEED_CACHE_CONTROL: 'public, max-age=60', PAGE_CACHE_CONTROL: 'no-cache' })
    expect((await custom('/atom.xml')).headers.get('cache-control')).toBe('public, max-age=60')
    expect((await custom('/')).headers.get('cache-control')).toBe('no-cache')
  })

  it('lets any origin read the feeds, and forbids sniffing', async () => {
    for (const path of ['/feed.xml', '/atom.xml', '/feed.json']) {
      const res = await get(path)
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('sends security headers with pages', async () => {
    const res = await get('/')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'")
    expect(res.headers.get('x-frame-options')).toBe('DENY')
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
  })
})

describe('the edge cache', () => {
  // A feed size the build did not prerender for (wrangler.toml's is 50): rendered on demand.
  const RENDERED = { FEED_SIZE: '20' }

  it('renders a feed once, then serves it from memory, and a fresh isolate from the edge', async () => {
    const c = collection([article({ headline: 'Edge cached' })])
    const first = appFor(c, RENDERED)
    const a = await first('/atom.xml')
    expect(a.headers.get('x-herald-cache')).toBe('render')
    const b = await first('/atom.xml')
    expect(b.headers.get('x-herald-cache')).toBe('memory')
    const fresh = await appFor(c, RENDERED)('/atom.xml')
    expect(fresh.headers.get('x-herald-cache')).toBe('edge')
    expect(fresh.headers.get('etag')).toBe(a.headers.get('etag'))
    expect(await fresh.text()).toBe(await a.text())
  })

  it('never serves another content version’s body: an edit is rendered anew under a new ETag', async () => {
    const original = article({ id: 'tag:test.example,2024:edited', headline: 'Before the edit' })
    const before = await appFor(collection([original]), RENDERED)('/feed.json')
    const after = await appFor(collection([{ ...original, headline: 'After the edit' }]), RENDERED)('/feed.json')
    expect(after.headers.get('x-herald-cache')).toBe('render')
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
    expect((await after.json<{ items: { title: string }[] }>()).items[0]!.title).toBe('After the edit')
  })
})

describe('guessed feed URLs', () => {
  it.each([
    ['/rss', '/feed.xml'], ['/rss.xml', '/feed.xml'], ['/feed', '/feed.xml'], ['/feed/', '/feed.xml'], ['/index.xml', '/feed.xml'],
    ['/atom', '/atom.xml'], ['/atom/', '/atom.xml'], ['/feed.xml/', '/feed.xml'], ['/feed.json/', '/feed.json'], ['/json', '/feed.json'],
    ['/sections/news/rss', '/sections/news/feed.xml'], ['/sections/news/', '/sections/news'], ['/tags/russia/atom', '/tags/russia/atom.xml'],
    ['/rss?before=abc', '/feed.xml?before=abc'],
    // Never to another site: `//evil.example` in a Location is a protocol-relative URL.
    ['//evil.example/', '/evil.example'], ['///evil.example/feed.xml/', '/evil.example/feed.xml'], ['//feed.xml', '/feed.xml'],
  ])('%s answers 301 to %s', async (path, target) => {
    const res = await get(path, { redirect: 'manual' })
    expect(res.status).toBe(301)
    expect(res.headers.get('location')).toBe(target)
  })

  it('never serves a second copy of a feed', async () => {
    expect((await get('/rss', { redirect: 'manual' })).headers.get('content-type') ?? '').not.toMatch(/rss/)
  })

  it("lets a browser app follow a feed's alias: the 301 carries CORS, the preflight is answered as the feed's", async () => {
    for (const path of ['/rss', '/feed.xml/', '/sections/news/rss', '/tags/russia/json']) {
      const res = await get(path, { redirect: 'manual', headers: { Origin: 'https://app.example' } })
      expect(res.status, path).toBe(301)
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*')
      const preflight = await get(path, { method: 'OPTIONS', headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' } })
      expect(preflight.status, path).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin'), path).toBe('*')
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase(), path).toContain('if-none-match')
    }
    // A page's alias is no CORS resource.
    expect((await get('/sections/news/', { redirect: 'manual' })).headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('opening a feed in a browser', () => {
  const navigation = { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document', 'Sec-Fetch-Site': 'none', Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }

  it.each(['/feed.xml', '/atom.xml', '/feed.json', '/sections/news/atom.xml'])('%s shows a readable preview with how to subscribe', async (path) => {
    const res = await get(path, { headers: navigation })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(res.headers.get('vary')).toBe('Sec-Fetch-Mode, Sec-Fetch-Dest')
    const html = await res.text()
    expect(html.startsWith('<!doctype html>')).toBe(true)
    expect(html).toContain('copy this address into it')
    expect(html).toContain(`<code>${ORIGIN}${path}</code>`)
    expect(html).toContain(content.articles[0]!.headline)
  })

  it.each([
    ['Miniflux', 'application/xml,application/atom+xml,application/rss+xml,application/rdf+xml,application/feed+json,text/html,*/*;q=0.9'],
    ['NetNewsWire', 'application/rss+xml, application/atom+xml, application/feed+json, text/xml, application/xml, */*'],
    ['Feedly', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
    ['Inoreader', '*/*'],
    ['newsboat', '*/*'],
    ['a browser app fetching JSON Feed', 'application/feed+json'],
  ])('still sends the feed to %s (Accept alone never decides)', async (_, accept) => {
    for (const [path, type] of [['/feed.xml', 'application/rss+xml'], ['/atom.xml', 'application/atom+xml'], ['/feed.json', 'application/feed+json']]) {
      const res = await get(path!, { headers: { Accept: accept } })
      expect(res.headers.get('content-type')).toBe(`${type}; charset=utf-8`)
    }
    const cors = await get('/feed.json', { headers: { Accept: accept, 'Sec-Fetch-Mode': 'cors', 'Sec-Fetch-Dest': 'empty' } })
    expect(cors.headers.get('content-type')).toBe('application/feed+json; charset=utf-8')
  })

  it('lets a browser app revalidate a feed: the preflight allows every precondition the feed honours, the ETag is exposed', async () => {
    for (const path of ['/feed.json', '/tags/russia/feed.json']) {
      const preflight = await get(path, {
        method: 'OPTIONS',
        headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'if-none-match' },
      })
      expect(preflight.status, path).toBe(204)
      expect(preflight.headers.get('access-control-allow-origin'), path).toBe('*')
      const allowed = (preflight.headers.get('access-control-allow-headers') ?? '').toLowerCase().split(/\s*,\s*/)
      // RFC 9110 §13.1: the feed answers all four, so a browser may send any of them.
      for (const header of ['if-none-match', 'if-modified-since', 'if-match', 'if-unmodified-since']) expect(allowed, `${path} ${header}`).toContain(header)
      const res = await get(path, { headers: { Origin: 'https://app.example' } })
      expect(res.headers.get('access-control-expose-headers'), path).toContain('ETag')
    }
    // Pages are not for cross-origin scripts: their OPTIONS carries Allow only.
    expect((await get('/', { method: 'OPTIONS' })).headers.get('access-control-allow-origin')).toBeNull()
  })

  it('lets a browser app read the 304 of its revalidation: a request with If-None-Match is fetched with no cache, so the 304 itself passes the CORS check', async () => {
    for (const path of ['/feed.json', '/atom.xml', '/tags/russia/feed.json']) {
      const full = await get(path, { headers: { Origin: 'https://app.example' } })
      // The second time the fast lane answers (src/http/fast-lane.ts): the same headers.
      for (let i = 0; i < 2; i++) {
        const res = await get(path, { headers: { Origin: 'https://app.example', 'If-None-Match': full.headers.get('etag')! } })
        expect(res.status, path).toBe(304)
        expect(res.headers.get('access-control-allow-origin'), path).toBe('*')
        expect(res.headers.get('access-control-expose-headers'), path).toContain('ETag')
      }
    }
  })

  it("lets a browser app read a feed's refusals: a 400, 404, 405 or 412 carries Access-Control-Allow-Origin", async () => {
    const origin = { Origin: 'https://app.example' }
    const cases: [string, RequestInit, number][] = [
      ['/feed.json?page=2', { headers: origin }, 400],
      ['/tags/russia/feed.json?before=00000000000000', { headers: origin }, 404],
      ['/tags/nope/feed.json', { headers: origin }, 404],
      ['/feed.json', { method: 'POST', headers: origin }, 405],
      ['/feed.json', { headers: { ...origin, 'If-Match': '"stale"' } }, 412],
    ]
    for (const [path, init, status] of cases) {
      const res = await get(path, init)
      expect(res.status, path).toBe(status)
      expect(res.headers.get('access-control-allow-origin'), path).toBe('*')
    }
    // Pages are not for cross-origin scripts, their refusals neither.
    expect((await get('/?page=2', { headers: origin })).headers.get('access-control-allow-origin')).toBeNull()
    expect((await get('/nowhere', { headers: origin })).headers.get('access-control-allow-origin')).toBeNull()
  })

  it('keeps separate validators for the preview and the feed', async () => {
    const feed = await get('/feed.xml')
    const preview = await get('/feed.xml', { headers: navigation })
    expect(preview.headers.get('etag')).not.toBe(feed.headers.get('etag'))
  })
})

describe('/feeds.opml', () => {
  it('lists every listing\'s feed once, as OPML 2.0, each one resolving: a reader importing it subscribes to each xmlUrl', async () => {
    const res = await get('/feeds.opml')
    expect(res.headers.get('content-type')).toBe('text/x-opml; charset=utf-8')
    const opml = parseXml(await res.text())
    expect(opml.attributes.version).toBe('2.0')
    const outlines = descendants(opml, 'outline').filter((o) => o.attributes.xmlUrl)
    const urls = outlines.map((o) => o.attributes.xmlUrl!)
    // One feed per listing: as many as /feeds lists listings, none twice, all RSS.
    expect(new Set(urls.map((u) => u.replace(/\/feed\.xml$/, ''))).size).toBe(urls.length)
    expect(urls.every((u) => u.endsWith('/feed.xml'))).toBe(true)
    for (const path of ['/feed.xml', '/sections/news/feed.xml', '/tags/russia/feed.xml', '/authors/newsroom/feed.xml']) expect(urls).toContain(ORIGIN + path)
    for (const o of outlines) expect([o.attributes.type, o.attributes.version]).toEqual(['rss', 'RSS'])
    for (const url of urls) expect((await get(url.slice(ORIGIN.length))).status, url).toBe(200)
    expect(textOf(children(children(opml, 'head')[0]!, 'title')[0]!)).toBe('Herald feeds')
  })
})
