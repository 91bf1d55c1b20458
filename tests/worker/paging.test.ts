/**
 * Paged feeds (RFC 5005 §3): an aggregator walks the whole archive through rel="next", in every
 * format, and finds each story exactly once; page URLs are anchored on stories, so a new story does
 * not change an archive page; bad paging input gets a one-line 400 or 404.
 */
import { describe, expect, it } from 'vitest'
import { article, collection, manyArticles } from '../helpers/content'
import { appFor, ORIGIN } from '../helpers/worker'
import { walk as walkFeed } from '../helpers/walk'
import { child, children, NS, parseXml, textOf } from '../helpers/xml'

const ARCHIVE = manyArticles(200)
// File order must not matter: shuffle deterministically.
const SHUFFLED = [...ARCHIVE].sort((a, b) => (a.slug.length * 7 + a.slug.charCodeAt(a.slug.length - 1)) % 13 - (b.slug.length * 7 + b.slug.charCodeAt(b.slug.length - 1)) % 13)
const request = appFor(collection(SHUFFLED))
const NEWEST_FIRST = [...ARCHIVE].reverse().map((a) => a.id)

const walk = (format: 'rss' | 'atom' | 'json', first: string) => walkFeed(request, format, first)

describe('walking the archive', () => {
  it.each([
    ['rss', '/feed.xml'],
    ['atom', '/atom.xml'],
    ['json', '/feed.json'],
  ] as const)('finds each of 200 stories exactly once through %s rel="next"', async (format, path) => {
    const { ids, pages } = await walk(format, ORIGIN + path)
    expect(pages).toBe(4)
    expect(ids).toEqual(NEWEST_FIRST)
  })

  it('also walks a tag feed (100 stories) to its end', async () => {
    const { ids } = await walk('atom', `${ORIGIN}/tags/odd/atom.xml`)
    expect(ids).toEqual(NEWEST_FIRST.filter((id) => Number(id.split('-').pop()) % 2 === 1))
  })
})

describe('page links', () => {
  const links = async (path: string) => {
    const feed = parseXml(await (await request(path)).text())
    return Object.fromEntries(children(feed, `{${NS.atom}}link`).map((l) => [l.attributes.rel, l.attributes.href]))
  }

  it('give the first page self, first, next and last, and no previous', async () => {
    const l = await links('/atom.xml')
    expect(l.self).toBe(`${ORIGIN}/atom.xml`)
    expect(l.first).toBe(`${ORIGIN}/atom.xml`)
    expect(l.next).toMatch(new RegExp(`^${ORIGIN}/atom.xml\\?before=[0-9a-z]{14}$`))
    expect(l.last).toMatch(new RegExp(`^${ORIGIN}/atom.xml\\?before=[0-9a-z]{14}$`))
    expect(l.previous).toBeUndefined()
  })

  it('give an archive page previous, pointing back at the page before it', async () => {
    const second = (await links('/atom.xml')).next!
    const l = await links(second.slice(ORIGIN.length))
    expect(l.self).toBe(second)
    const back = parseXml(await (await request(l.previous!.slice(ORIGIN.length))).text())
    const firstPage = parseXml(await (await request('/atom.xml')).text())
    const ids = (f: typeof back) => children(f, `{${NS.atom}}entry`).map((e) => textOf(child(e, `{${NS.atom}}id`)))
    expect(ids(back)).toEqual(ids(firstPage))
  })

  it('give the last page the 50 oldest stories and no next', async () => {
    const last = (await links('/atom.xml')).last!
    const page = parseXml(await (await request(last.slice(ORIGIN.length))).text())
    expect(children(page, `{${NS.atom}}entry`).map((e) => textOf(child(e, `{${NS.atom}}id`)))).toEqual(NEWEST_FIRST.slice(150))
    expect(children(page, `{${NS.atom}}link`).find((l) => l.attributes.rel === 'next')).toBeUndefined()
  })

  it('are in RSS as atom:link and in JSON Feed as next_url', async () => {
    const channel = child(parseXml(await (await request('/feed.xml')).text()), 'channel')
    const rels = children(channel, `{${NS.atom}}link`).map((l) => l.attributes.rel)
    expect(rels).toEqual(['self', 'hub', 'first', 'last', 'next'])
    const json = await (await request('/feed.json')).json<{ next_url: string }>()
    expect(json.next_url).toMatch(new RegExp(`^${ORIGIN}/feed.json\\?before=[0-9a-z]{14}$`))
  })
})

describe('archive pages and the hub', () => {
  // The hub takes only a feed's first page as a topic (?before= is refused at POST /hub), so an
  // archive page that named the hub would invite a subscription bound to fail.
  it.each([
    ['rss', '/feed.xml'],
    ['atom', '/atom.xml'],
    ['json', '/feed.json'],
  ] as const)('a %s archive page names no hub, in its Link header or its document', async (format, path) => {
    const first = await request(path)
    expect(first.headers.get('link')).toContain('rel="hub"')
    const body = await first.text()
    const next = format === 'json' ? JSON.parse(body).next_url : linksOf(format, body).next
    const page = await request(next.slice(ORIGIN.length))
    expect(page.status).toBe(200)
    expect(page.headers.get('link')).toBe(`<${next}>; rel="self"`)
    const text = await page.text()
    if (format === 'json') {
      const json = JSON.parse(text)
      expect(json.hubs).toBeUndefined()
      expect(json.feed_url).toBe(next)
    } else {
      const l = linksOf(format, text)
      expect(l.hub).toBeUndefined()
      expect(l.self).toBe(next)
    }
  })
})

function linksOf(format: 'rss' | 'atom', xml: string): Record<string, string> {
  const doc = parseXml(xml)
  const holder = format === 'rss' ? child(doc, 'channel') : doc
  return Object.fromEntries(children(holder, `{${NS.atom}}link`).map((l) => [l.attributes.rel, l.attributes.href]))
}

describe('archive pages are stable', () => {
  it('keep their bytes and ETag when a new story is published', async () => {
    const before = appFor(collection(ARCHIVE))
    const next = JSON.parse(await (await before('/feed.json')).text()).next_url.slice(ORIGIN.length)
    const a = await before(next)
    const after = appFor(collection([...ARCHIVE, article({ published: '2030-01-01T00:00:00Z' })]))
    const b = await after(next)
    expect(b.headers.get('etag')).toBe(a.headers.get('etag'))
  })
})

describe('bad paging input', () => {
  it.each([
    ['?page=0', 400, '"page" is not a paging parameter here'],
    ['?page=-1', 400, '"page" is not a paging parameter here'],
    ['?page=abc', 400, '"page" is not a paging parameter here'],
    ['?page=1e9', 400, '"page" is not a paging parameter here'],
    ['?before=', 400, '"before" must be a story anchor'],
    ['?before=abc', 400, '"before" must be a story anchor'],
    ['?before=%00%ff', 400, '"before" must be a story anchor'],
    ['?before=00000000000000', 404, 'no story "00000000000000" in this feed'],
    ['?before=a&before=b', 400, '"before" is given 2 times'],
    ['?before=00000000000000&after=00000000000000', 400, 'give ?before= or ?after=, not both'],
    ['?utm_source=newsletter', 400, 'unknown query parameter "utm_source"'],
    ['?%zz=1', 400, 'unknown query parameter'],
  ])('%s gets %i with a one-line reason', async (query, status, reason) => {
    for (const path of ['/feed.xml', '/atom.xml', '/feed.json', '/tags/odd/feed.xml']) {
      const res = await request(path + query)
      expect(res.status, path + query).toBe(status)
      expect(res.headers.get('content-type')).toBe('text/plain; charset=UTF-8')
      const text = await res.text()
      expect(text).toContain(reason)
      expect(text.trimEnd().split('\n')).toHaveLength(1)
    }
  })

  it('also refuses a bad page on listing pages, but ignores tracking parameters there', async () => {
    expect((await request('/?page=2')).status).toBe(400)
    expect((await request('/?before=00000000000000')).status).toBe(404)
    expect((await request('/?utm_source=x')).status).toBe(200)
  })
})
