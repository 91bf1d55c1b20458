/**
 * Scheduled publishing and corrections, by moving the clock: a story dated in the future is
 * invisible everywhere until its instant, then appears without a redeploy; a new `updated` instant
 * shows in every format.
 */
import { env } from 'cloudflare:workers'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../src/app'
import { article, collection } from '../helpers/content'
import { appFor, heraldOf, ORIGIN } from '../helpers/worker'
import { child, children, NS, parseXml, textOf } from '../helpers/xml'

afterEach(() => vi.useRealTimers())

const NOW = Date.parse('2025-06-01T12:00:00Z')
const live = article({ headline: 'Already out', published: '2025-06-01T08:00:00Z', tags: ['Common'] })
const scheduled = article({ headline: 'Embargoed story', published: '2025-06-01T14:00:00Z', tags: ['Common', 'Embargo-only'], section: 'news' })

describe('a story scheduled for later', () => {
  it('is invisible everywhere before its instant', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    const request = appFor(collection([live, scheduled]))
    for (const path of ['/feed.xml', '/atom.xml', '/feed.json', '/', '/sections/news', '/tags/common', '/tags/common/feed.json', '/feeds', '/feeds.opml', '/tags']) {
      const res = await request(path)
      expect(res.status, path).toBe(200)
      expect(await res.text(), path).not.toMatch(/Embargoed story|embargo-only/i)
    }
    for (const path of [`/articles/${scheduled.slug}`, '/tags/embargo-only', '/tags/embargo-only/atom.xml']) {
      expect((await request(path)).status, path).toBe(404)
    }
  })

  it('appears at its instant, in the same isolate, with new validators', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    const request = appFor(collection([live, scheduled]))
    const before = await request('/feed.json')
    const beforeTag = await request('/tags/common/atom.xml')
    vi.setSystemTime(Date.parse('2025-06-01T14:00:00Z'))
    const after = await request('/feed.json')
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'))
    expect((await after.json<{ items: { title: string }[] }>()).items.map((i) => i.title)).toEqual(['Embargoed story', 'Already out'])
    const tag = parseXml(await (await request('/tags/common/atom.xml')).text())
    expect(children(tag, `{${NS.atom}}entry`)).toHaveLength(2)
    expect((await request('/tags/common/atom.xml', { headers: { 'If-None-Match': beforeTag.headers.get('etag')! } })).status).toBe(200)
    expect((await request(`/articles/${scheduled.slug}`)).status).toBe(200)
    expect((await request('/tags/embargo-only')).status).toBe(200)
  })
})

describe('a correction', () => {
  it('shows the new updated instant in RSS, Atom, JSON Feed and on the page', async () => {
    const original = article({ published: '2025-01-01T10:00:00Z' })
    const corrected = { ...original, updated: '2025-01-02T09:30:00Z' as const }
    // Deployed with the correction, a minute after it was made.
    const app = createApp(heraldOf(collection([corrected]), new Date('2025-01-02T09:31:00Z')))
    const request = (path: string) => app.request(ORIGIN + path, {}, env)
    const item = child(child(parseXml(await (await request('/feed.xml')).text()), 'channel'), 'item')
    expect(textOf(child(item, `{${NS.atom}}updated`))).toBe('2025-01-02T09:30:00.000Z')
    expect(textOf(child(item, 'pubDate'))).toBe('Wed, 01 Jan 2025 10:00:00 GMT')
    const entry = child(parseXml(await (await request('/atom.xml')).text()), `{${NS.atom}}entry`)
    expect(textOf(child(entry, `{${NS.atom}}updated`))).toBe('2025-01-02T09:30:00.000Z')
    expect(textOf(child(entry, `{${NS.atom}}published`))).toBe('2025-01-01T10:00:00.000Z')
    const json = await (await request('/feed.json')).json<{ items: { date_modified: string }[] }>()
    expect(json.items[0]!.date_modified).toBe('2025-01-02T09:30:00.000Z')
    const page = await (await request(`/articles/${original.slug}`)).text()
    expect(page).toContain('Updated <time datetime="2025-01-02T09:30:00.000Z">')
    // The deploy's instant: later than the correction's, and the bytes came with it.
    expect((await request('/feed.xml')).headers.get('last-modified')).toBe('Thu, 02 Jan 2025 09:31:00 GMT')
  })
})
