/**
 * The fast lane (src/http/fast-lane.ts): a feed sent from the memo is answered before routing from
 * then on, with the same bytes and headers the routes send, and never past an instant that changes
 * what the URL names, nor after its bytes have left the memo.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import type { Article } from '../../src/content/article'
import type { HeraldOptions } from '../../src/herald'
import { article, collection } from '../helpers/content'
import { heraldOf, ORIGIN } from '../helpers/worker'

afterEach(() => vi.useRealTimers())

const NOW = Date.parse('2025-06-01T12:00:00Z')
const HOUR = 3600_000
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z') as Article['published']

function worker(articles: Article[], options?: HeraldOptions) {
  const source = heraldOf(collection(articles), new Date(NOW), undefined, options)
  const app = createApp(source)
  const request = (path: string, init?: RequestInit) => app.request(ORIGIN + path, init, env)
  return { request, lane: async () => (await source(env)).fast.stats(), memo: async () => (await source(env)).memo.stats() }
}

/** Status, headers and body, to compare two answers whole. */
async function whole(res: Response) {
  return { status: res.status, headers: [...res.headers], body: await res.text() }
}

describe('a feed polled again', () => {
  it('is answered before routing once the memo has sent it, byte for byte and header for header', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    const { request, lane } = worker([article({ published: iso(NOW - HOUR) })])
    await request('/feed.xml') // the build's file
    const routed = await whole(await request('/feed.xml')) // from the memo, through the routes
    expect((await lane()).answered).toBe(0)
    const fast = await whole(await request('/feed.xml'))
    expect((await lane()).answered).toBe(1)
    expect(fast).toEqual(routed)
    expect(fast.headers).toContainEqual(['x-herald-cache', 'memory'])

    // Conditional GET on the lane: 304 with the validators the routes give.
    const etag = routed.headers.find(([k]) => k === 'etag')![1]
    const notModified = await request('/feed.xml', { headers: { 'If-None-Match': etag } })
    expect(notModified.status).toBe(304)
    expect((await lane()).answered).toBe(2)
    expect(notModified.headers.get('etag')).toBe(etag)
    expect(await notModified.text()).toBe('')
  })

  it('remembers no URL longer than 2,048 characters: the lanes are outside the memo\'s byte budget', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    const { request, lane } = worker([article({ published: iso(NOW - HOUR) })])
    // A page ignores a query it does not read (a feed refuses one), so any number of long URLs reach it.
    for (let i = 0; i < 4; i++) expect((await request(`/?utm_source=${String(i).repeat(4096)}`)).status).toBe(200)
    for (let i = 0; i < 4; i++) expect((await request(`/?utm_source=${'x'.repeat(4096)}`)).status).toBe(200)
    expect(await lane()).toEqual({ lanes: 0, answered: 0 })
    // The page itself is remembered as ever.
    for (let i = 0; i < 3; i++) await request('/?utm_source=rss')
    // (Its bytes were in the memo already: the first request is remembered, the next two answered.)
    expect(await lane()).toEqual({ lanes: 1, answered: 2 })
  })

  it('is not answered there for a browser (the preview page), for HEAD or for another method', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    const { request, lane } = worker([article({ published: iso(NOW - HOUR) })])
    for (let i = 0; i < 3; i++) await request('/feed.json')
    const answered = (await lane()).answered
    const preview = await request('/feed.json', { headers: { 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' } })
    expect(preview.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect((await request('/feed.json', { method: 'HEAD' })).status).toBe(200)
    expect((await request('/feed.json', { method: 'POST' })).status).toBe(405)
    expect((await lane()).answered).toBe(answered)
  })

  it('answers an article and a listing page there too, but not an ActivityPub request of the article', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    const story = article({ published: iso(NOW - HOUR) })
    const { request, lane } = worker([story])
    for (const path of [`/articles/${story.slug}`, '/sections/news']) {
      await request(path)
      const routed = await whole(await request(path))
      const before = (await lane()).answered
      const fast = await whole(await request(path))
      expect((await lane()).answered, path).toBe(before + 1)
      expect(fast, path).toEqual(routed)
    }
    const answered = (await lane()).answered
    const activity = await request(`/articles/${story.slug}`, { headers: { Accept: 'application/activity+json' } })
    expect(activity.headers.get('content-type')).toMatch(/^application\/activity\+json/)
    expect((await lane()).answered).toBe(answered)
    // One Vary, naming Accept, whichever way the page went.
    expect((await request(`/articles/${story.slug}`)).headers.get('vary')).toBe('Accept')
  })

  it('shows a scheduled story from its instant, and a withdrawal from its instant', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    const out = article({ headline: 'Out already', published: iso(NOW - HOUR) })
    const later = article({ headline: 'Embargoed story', published: iso(NOW + HOUR) })
    const pulled: Article = { ...article({ headline: 'Pulled story', published: iso(NOW - 2 * HOUR) }), withdrawn: { at: iso(NOW + 2 * HOUR), reason: 'Published in error.' } }
    const { request, lane } = worker([out, later, pulled])
    const titles = async () => (await (await request('/feed.json')).json<{ items: { title: string }[] }>()).items.map((i) => i.title)
    for (let i = 0; i < 2; i++) await titles()
    expect(await titles()).toEqual(['Out already', 'Pulled story'])
    expect((await lane()).answered).toBeGreaterThan(0)
    vi.setSystemTime(NOW + HOUR)
    expect(await titles()).toEqual(['Embargoed story', 'Out already', 'Pulled story'])
    await titles()
    vi.setSystemTime(NOW + 2 * HOUR)
    expect(await titles()).toEqual(['Embargoed story', 'Out already'])
  })

  it('takes the long way again once its bytes have left the memo, and sends them the same', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    // Feeds of some 21 KB; the hot part holds about nine of the eighteen.
    const tags = ['One', 'Two', 'Three']
    const { request, lane, memo } = worker([article({ published: iso(NOW - HOUR), body: 'x'.repeat(20_000), tags })], { memoBudget: { hot: 200 * 1024, tail: 64 * 1024 } })
    for (let i = 0; i < 2; i++) await request('/feed.xml')
    const first = await whole(await request('/feed.xml'))
    const answered = (await lane()).answered
    expect(answered).toBe(1)
    const others = ['', '/sections/news', '/authors/newsroom', ...tags.map((t) => `/tags/${t.toLowerCase()}`)].flatMap((l) => ['/feed.xml', '/atom.xml', '/feed.json'].map((f) => l + f))
    for (const path of others.filter((p) => p !== '/feed.xml')) for (let i = 0; i < 2; i++) expect((await request(path)).status, path).toBe(200)
    expect((await memo()).hot.evicted).toBeGreaterThan(0)
    const again = await whole(await request('/feed.xml'))
    // Not from the lane: its key names bytes the memo no longer has.
    expect((await lane()).answered).toBe(answered)
    expect(again.body).toBe(first.body)
    expect(again.headers.find(([k]) => k === 'etag')).toEqual(first.headers.find(([k]) => k === 'etag'))
  })
})
