/**
 * The site map (src/site-map.ts): slugs that make good paths and ids, and addresses that read back
 * as the listing they name. Through the worker's HTTP interface where an address is served.
 */
import { describe, expect, it } from 'vitest'
import { feedId, listingPath, parseListingPath, tagSlug } from '../../src/site-map'
import { article, collection } from '../helpers/content'
import { TAG_URI } from '../helpers/generators'
import { appFor } from '../helpers/worker'
import { child, children, descendants, NS, parseXml, textOf } from '../helpers/xml'

describe('tag slugs', () => {
  it.each([
    ['Central Asia', 'central-asia'],
    ['  central \t ASIA ', 'central-asia'],
    ['<script>alert(1)</script>', 'script-alert-1-script'],
    ['Россия', 'россия'],
    ['ﬁre', 'fire'],
    ['C++', 'c'],
    ['.', ''],
    ['..', ''],
    ['%2e%2e', '2e-2e'],
  ])('%j has the slug %j: never a dot-segment, the same for every spelling in case and spacing', (name, slug) => {
    expect(tagSlug(name)).toBe(slug)
  })
})

describe('listing addresses', () => {
  it.each([
    ['home', ''],
    ['section', 'news'],
    ['tag', 'россия'],
    ['tag', 'a-b'],
    ['author', 'newsroom'],
  ] as const)('a %s listing %j reads back from its path, and from its feeds', (kind, slug) => {
    const path = listingPath(kind, slug)
    expect(parseListingPath(path)).toEqual({ kind, slug })
    expect(parseListingPath(`${path === '/' ? '' : path}/atom.xml`)).toEqual({ kind, slug, file: 'atom.xml' })
  })

  it('percent-encodes the slug in a feed id, so that it is an RFC 4151 tag URI', () => {
    expect(feedId('herald.example.com,2024', 'tag', 'россия')).toBe('tag:herald.example.com,2024:feed/tag/%D1%80%D0%BE%D1%81%D1%81%D0%B8%D1%8F')
    expect(feedId('herald.example.com,2024', 'tag', 'россия')).toMatch(TAG_URI)
  })
})

describe('tags with markup and other scripts', () => {
  const request = appFor(collection([article({ tags: ['<script>x</script>', 'Россия', 'News'] })]))

  it('are served at their slugs, in every format, with tag-URI feed ids', async () => {
    for (const [slug, name] of [['script-x-script', '<script>x</script>'], ['%D1%80%D0%BE%D1%81%D1%81%D0%B8%D1%8F', 'Россия']]) {
      expect((await request(`/tags/${slug}`)).status).toBe(200)
      const atom = parseXml(await (await request(`/tags/${slug}/atom.xml`)).text())
      expect(textOf(child(atom, `{${NS.atom}}id`))).toMatch(TAG_URI)
      expect(textOf(child(atom, `{${NS.atom}}title`))).toBe(`${name} · Herald`)
      const rss = parseXml(await (await request(`/tags/${slug}/feed.xml`)).text())
      expect(textOf(child(child(rss, 'channel'), 'title'))).toBe(`${name} · Herald`)
      const json = await (await request(`/tags/${slug}/feed.json`)).json<{ title: string }>()
      expect(json.title).toBe(`${name} · Herald`)
    }
  })

  it('are listed in OPML at those addresses, with no dot-segment anywhere', async () => {
    const opml = parseXml(await (await request('/feeds.opml')).text())
    const urls = descendants(opml, 'outline').flatMap((o) => (o.attributes.xmlUrl ? [o.attributes.xmlUrl, o.attributes.htmlUrl!] : []))
    expect(urls).toContain('http://localhost:8787/tags/script-x-script/feed.xml')
    for (const url of urls) expect(new URL(url).pathname.split('/').filter((s) => s === '.' || s === '..')).toEqual([])
  })

  it('named like the story\'s section, appear once in JSON Feed tags and as both category schemes in RSS', async () => {
    const json = await (await request('/feed.json')).json<{ items: { tags: string[] }[] }>()
    expect(json.items[0]!.tags).toEqual(['News', '<script>x</script>', 'Россия'])
    const item = child(child(parseXml(await (await request('/feed.xml')).text()), 'channel'), 'item')
    const news = children(item, 'category').filter((c) => textOf(c) === 'News')
    expect(news.map((c) => c.attributes.domain)).toEqual(['http://localhost:8787/sections', 'http://localhost:8787/tags'])
  })
})
