/**
 * The three feeds of the real collection, read with a strict XML parser and JSON.parse:
 * what each format must carry, per the foundation issue.
 */
import { describe, expect, it } from 'vitest'
import content from '../../content/index'
import type { Instant } from '../../src/content/article'
import { child, children, descendants, NS, parseXml, textOf, type XmlElement } from '../helpers/xml'
import { appFor, get, ORIGIN } from '../helpers/worker'
import { article, collection } from '../helpers/content'

const STORY = content.articles[0]!
const STORY_URL = `${ORIGIN}/articles/${STORY.slug}`

async function xml(path: string): Promise<XmlElement> {
  return parseXml(await (await get(path)).text())
}

describe('GET /feed.xml (RSS 2.0)', () => {
  it('is served as application/rss+xml with charset', async () => {
    const res = await get('/feed.xml')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8')
  })

  it('links to itself with atom:link rel=self', async () => {
    const channel = child(await xml('/feed.xml'), 'channel')
    const self = children(channel, `{${NS.atom}}link`).find((l) => l.attributes.rel === 'self')
    expect(self?.attributes.href).toBe(`${ORIGIN}/feed.xml`)
  })

  it('carries the article with guid, pubDate, dc:creator, category, description and content:encoded', async () => {
    const item = child(child(await xml('/feed.xml'), 'channel'), 'item')
    expect(textOf(child(item, 'title'))).toBe(STORY.headline)
    expect(textOf(child(item, 'link'))).toBe(STORY_URL)
    const guid = child(item, 'guid')
    expect(guid.attributes.isPermaLink).toBe('false')
    expect(textOf(guid)).toBe(STORY.id)
    expect(textOf(child(item, 'pubDate'))).toBe('Thu, 28 Mar 2024 23:58:00 GMT')
    expect(children(item, `{${NS.dc}}creator`).map(textOf)).toEqual(['Herald Newsroom'])
    expect(children(item, 'author')).toHaveLength(0)
    expect(children(item, 'category').map(textOf)).toEqual(['News', 'Russia', 'Central Asia', 'Migration'])
    expect(textOf(child(item, 'description'))).toBe(STORY.dek)
    const html = textOf(child(item, `{${NS.content}}encoded`))
    expect(html).toContain('<blockquote>')
    expect(html).toContain('Citizens of Central Asian countries are fleeing Russia (illustrative photo)')
    expect(html).toContain('© Telegram')
  })

  it('puts every body paragraph in content:encoded, in order, with the quotation as a blockquote', async () => {
    const html = textOf(child(child(child(await xml('/feed.xml'), 'channel'), 'item'), `{${NS.content}}encoded`))
    const body = parseXml(`<div>${html}</div>`)
    const paragraphs = descendants(body, 'p').map(textOf)
    expect(paragraphs).toHaveLength(9)
    expect(paragraphs[0]).toMatch(/^Recent terrorist attacks at Crocus City Hall/)
    expect(paragraphs[8]).toMatch(/it's unclear who the Kremlin will target next\.$/)
    const quote = descendants(body, 'blockquote')
    expect(quote).toHaveLength(1)
    expect(textOf(quote[0]!).trim()).toMatch(/^"I advise them to avoid mosques/)
  })

  it('has no enclosure or media:content when no image file exists (caption and credit are in the HTML)', async () => {
    const item = child(child(await xml('/feed.xml'), 'channel'), 'item')
    expect(children(item, 'enclosure')).toHaveLength(0)
    expect(children(item, `{${NS.media}}content`)).toHaveLength(0)
  })
})

describe('GET /atom.xml (Atom 1.0)', () => {
  it('is served as application/atom+xml with charset', async () => {
    expect((await get('/atom.xml')).headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
  })

  it('has self and alternate links, a stable id and updated = newest story', async () => {
    const feed = await xml('/atom.xml')
    const links = children(feed, `{${NS.atom}}link`).map((l) => [l.attributes.rel, l.attributes.href])
    expect(links).toContainEqual(['self', `${ORIGIN}/atom.xml`])
    expect(links).toContainEqual(['alternate', `${ORIGIN}/`])
    expect(textOf(child(feed, `{${NS.atom}}id`))).toBe('tag:herald.example.com,2024:feed/home')
    expect(textOf(child(feed, `{${NS.atom}}updated`))).toBe('2024-03-28T23:58:00.000Z')
  })

  it('gives the entry its permanent id, author, published, updated, summary, content and categories', async () => {
    const entry = child(await xml('/atom.xml'), `{${NS.atom}}entry`)
    const atom = (name: string) => child(entry, `{${NS.atom}}${name}`)
    expect(textOf(atom('id'))).toBe(STORY.id)
    expect(textOf(child(atom('author'), `{${NS.atom}}name`))).toBe('Herald Newsroom')
    expect(textOf(atom('published'))).toBe('2024-03-28T23:58:00.000Z')
    expect(textOf(atom('updated'))).toBe('2024-03-28T23:58:00.000Z')
    expect(textOf(atom('summary'))).toBe(STORY.dek)
    expect(textOf(atom('content'))).toContain('<blockquote>')
    expect(children(entry, `{${NS.atom}}category`).map((c) => c.attributes.label)).toEqual(['News', 'Russia', 'Central Asia', 'Migration'])
    expect(atom('link').attributes.href).toBe(STORY_URL)
  })
})

describe('GET /feed.json (JSON Feed 1.1)', () => {
  it('is served as application/feed+json with charset', async () => {
    expect((await get('/feed.json')).headers.get('content-type')).toBe('application/feed+json; charset=utf-8')
  })

  it('declares version 1.1 with feed_url, home_page_url, language and authors', async () => {
    const feed = await (await get('/feed.json')).json<Record<string, unknown>>()
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      feed_url: `${ORIGIN}/feed.json`,
      home_page_url: `${ORIGIN}/`,
      language: 'en',
      authors: [{ name: 'Herald', url: `${ORIGIN}/` }],
    })
    expect(feed).not.toHaveProperty('author')
  })

  it('gives every item id, url, title, content_html, summary, tags, dates and authors', async () => {
    const { items } = await (await get('/feed.json')).json<{ items: Record<string, unknown>[] }>()
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      id: STORY.id,
      url: STORY_URL,
      title: STORY.headline,
      summary: STORY.dek,
      tags: ['News', 'Russia', 'Central Asia', 'Migration'],
      date_published: '2024-03-28T23:58:00.000Z',
      date_modified: '2024-03-28T23:58:00.000Z',
      authors: [{ name: 'Herald Newsroom', url: `${ORIGIN}/authors/newsroom` }],
    })
    expect(items[0]!.content_html).toContain('<blockquote>')
    expect(items[0]).not.toHaveProperty('author')
  })
})

describe('identity across formats', () => {
  it('emits the same permanent id as RSS guid, Atom id and JSON id', async () => {
    const rss = textOf(child(child(child(await xml('/feed.xml'), 'channel'), 'item'), 'guid'))
    const atom = textOf(child(child(await xml('/atom.xml'), `{${NS.atom}}entry`), `{${NS.atom}}id`))
    const json = (await (await get('/feed.json')).json<{ items: { id: string }[] }>()).items[0]!.id
    expect(new Set([rss, atom, json])).toEqual(new Set([STORY.id]))
  })

  it('keeps the id when the headline and slug are edited', async () => {
    const before = article({ id: 'tag:test.example,2024:kept', slug: 'old-slug', headline: 'Old headline' })
    const after = { ...before, slug: 'new-slug', headline: 'Corrected headline' }
    const idOf = async (a: typeof before) =>
      (await (await appFor(collection([a]))('/feed.json')).json<{ items: { id: string }[] }>()).items[0]!.id
    expect(await idOf(after)).toBe(await idOf(before))
  })
})

describe('selection and order', () => {
  const ids = async (res: Response) => (await res.json<{ items: { id: string }[] }>()).items.map((i) => i.id)

  it('lists newest first, breaking ties by id whatever the file order', async () => {
    const a = article({ id: 'tag:test.example,2024:a', published: '2024-05-01T12:00:00Z' })
    const b = article({ id: 'tag:test.example,2024:b', published: '2024-05-01T12:00:00Z' })
    const c = article({ id: 'tag:test.example,2024:c', published: '2024-05-02T12:00:00Z' })
    const expected = ['tag:test.example,2024:c', 'tag:test.example,2024:a', 'tag:test.example,2024:b']
    expect(await ids(await appFor(collection([a, b, c]))('/feed.json'))).toEqual(expected)
    expect(await ids(await appFor(collection([b, c, a]))('/feed.json'))).toEqual(expected)
  })

  it('carries the latest FEED_SIZE stories', async () => {
    const many = Array.from({ length: 7 }, (_, i) => article({ published: `2024-05-0${i + 1}T00:00:00Z` as Instant }))
    const request = appFor(collection(many), { FEED_SIZE: '3' })
    const got = await ids(await request('/feed.json'))
    expect(got).toEqual([many[6]!.id, many[5]!.id, many[4]!.id])
    const rss = parseXml(await (await request('/feed.xml')).text())
    expect(children(child(rss, 'channel'), 'item')).toHaveLength(3)
  })

  it('never shows a draft, in any feed or page', async () => {
    const draft = article({ draft: true, headline: 'Secret draft' })
    const request = appFor(collection([article(), draft]))
    for (const path of ['/feed.xml', '/atom.xml', '/feed.json', '/', '/sections/news', '/tags/testing']) {
      expect(await (await request(path)).text()).not.toContain('Secret draft')
    }
    expect((await request(`/articles/${draft.slug}`)).status).toBe(404)
  })

  it('renders the same bytes for the same content, whatever the clock says', async () => {
    const stories = [article(), article()]
    const first = await (await appFor(collection(stories))('/atom.xml')).text()
    await new Promise((r) => setTimeout(r, 1100))
    const second = await (await appFor(collection(stories))('/atom.xml')).text()
    expect(second).toBe(first)
  })
})
