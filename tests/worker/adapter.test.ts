/**
 * The layer around `feed` (src/feeds/xml.ts, json-feed.ts): each gap found in feed 6.0.0,
 * proved closed on an article built to hit it. Output is parsed strictly, and injection is
 * tested by counting elements.
 */
import { Feed } from 'feed'
import { describe, expect, it } from 'vitest'
import { renderAtom, renderRss } from '../../src/feeds/xml'
import { article, collection } from '../helpers/content'
import { HOSTILE, hostileContent } from '../fixtures/hostile'
import { jsonFeedErrors } from '../helpers/json-feed'
import { appFor } from '../helpers/worker'
import { child, children, descendants, htmlToText, NS, parseXml, textOf } from '../helpers/xml'

const request = appFor(hostileContent)
const rssText = async () => (await request('/feed.xml')).text()
const rss = async () => child(child(parseXml(await rssText()), 'channel'), 'item')
const atom = async () => child(parseXml(await (await request('/atom.xml')).text()), `{${NS.atom}}entry`)
const json = async () => (await request('/feed.json')).json<Record<string, any>>()

/** What XML can carry of a string: the forbidden characters removed. */
const carried = (s: string) => s.replace(/[\u0000\u0007\uFFFE]|\uD800/g, '')
/** A name as the name rule keeps it: one line, trimmed. */
const asName = (s: string) => carried(s).replace(/\s+/g, ' ').trim()

describe('CDATA sections', () => {
  it('survive two "]]>" in a title, summary and body', async () => {
    const item = await rss()
    expect(textOf(child(item, 'title'))).toBe(carried(HOSTILE.headline))
    expect(htmlToText(textOf(child(item, 'description')))).toBe(carried(HOSTILE.dek))
    expect(textOf(child(item, `{${NS.content}}encoded`))).toContain('Body with ]]&gt; twice ]]&gt;')
    const entry = await atom()
    expect(textOf(child(entry, `{${NS.atom}}title`))).toBe(carried(HOSTILE.headline))
    expect(textOf(child(entry, `{${NS.atom}}summary`))).toBe(carried(HOSTILE.dek))
  })
})

describe('Atom text constructs', () => {
  it('declare plain-text titles and summaries type="text", so "</title>" and "&lt;" read back as written', async () => {
    const entry = await atom()
    for (const name of ['title', 'summary']) expect(child(entry, `{${NS.atom}}${name}`).attributes.type).toBe('text')
    expect(child(entry, `{${NS.atom}}content`).attributes.type).toBe('html')
    expect(textOf(child(entry, `{${NS.atom}}title`))).toContain('</title> & &amp; <b>bold</b>')
  })

  it('cannot be closed early to inject elements', async () => {
    const xml = await rssText()
    expect(xml.match(/<injected/g)).toBeNull()
    const item = await rss()
    expect(children(item, 'title')).toHaveLength(1)
    expect(children(item, 'description')).toHaveLength(1)
  })
})

describe('characters XML forbids', () => {
  it('are removed from every field, so each format parses', async () => {
    const xml = await rssText()
    expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/)
    expect(() => parseXml(xml)).not.toThrow()
    expect((await json()).items[0].title).toBe(carried(HOSTILE.headline))
  })
})

describe('attribute values', () => {
  it('escape < & " in Atom category label and term', async () => {
    const labels = children(await atom(), `{${NS.atom}}category`).map((c) => c.attributes.label)
    expect(labels).toContain(asName(HOSTILE.tag))
    expect(labels).toContain(HOSTILE.section)
  })

  it('escape the RSS category domain and the enclosure URL', async () => {
    const item = await rss()
    expect(children(item, 'category').map(textOf)).toEqual([HOSTILE.section, asName(HOSTILE.tag), 'ordinary'])
    expect(child(item, 'enclosure').attributes.url).toBe('https://img.example/photo.jpg?w=800&h=600')
  })
})

describe('text nodes', () => {
  it('keep a literal "&amp;" (xml-js would turn it into "&")', async () => {
    const channel = child(parseXml(await rssText()), 'channel')
    const section = children(child(channel, 'item'), 'category')[0]!
    expect(textOf(section)).toBe(HOSTILE.section)
    expect(textOf(child(await rss(), 'title'))).toContain('& &amp;')
  })
})

describe('enclosures', () => {
  it('use the typed MIME type and the real byte length in RSS', async () => {
    const enclosure = child(await rss(), 'enclosure')
    expect(enclosure.attributes).toEqual({ url: 'https://img.example/photo.jpg?w=800&h=600', type: 'image/webp', length: '48213' })
  })

  it('use the typed MIME type and length in Atom, with the alt text as title', async () => {
    const links = children(await atom(), `{${NS.atom}}link`).filter((l) => l.attributes.rel === 'enclosure')
    expect(links).toHaveLength(1)
    expect(links[0]!.attributes).toMatchObject({ type: 'image/webp', length: '48213', title: HOSTILE.alt })
  })

  it('give JSON Feed the image URL', async () => {
    expect((await json()).items[0].image).toBe('https://img.example/photo.jpg?w=800&h=600')
  })
})

describe('Media RSS', () => {
  it('carries caption and credit as media:description and media:credit, namespace declared', async () => {
    const media = children(await rss(), `{${NS.media}}content`)
    expect(media).toHaveLength(1)
    expect(media[0]!.attributes).toMatchObject({ url: 'https://img.example/photo.jpg?w=800&h=600', type: 'image/webp', medium: 'image', width: '800', height: '600', fileSize: '48213' })
    expect(textOf(child(media[0]!, `{${NS.media}}description`))).toBe(carried(HOSTILE.caption))
    expect(textOf(child(media[0]!, `{${NS.media}}credit`))).toBe(HOSTILE.credit)
  })
})

describe('authors', () => {
  it('go in dc:creator, every one, never as a bare name in RSS <author>', async () => {
    const item = await rss()
    expect(children(item, 'author')).toHaveLength(0)
    expect(children(item, `{${NS.dc}}creator`).map(textOf)).toEqual([asName(HOSTILE.author), 'Plain Name'])
  })

  it('are all kept in JSON Feed 1.1 authors', async () => {
    expect((await json()).items[0].authors.map((a: { name: string }) => a.name)).toEqual([asName(HOSTILE.author), 'Plain Name'])
  })
})

describe('JSON Feed', () => {
  it('is valid JSON Feed 1.1 by the schema', async () => {
    expect(jsonFeedErrors(await json())).toEqual([])
  })
})

describe('item HTML', () => {
  it('shows raw HTML in a body as text, makes every URL absolute, and has no lazy loading', async () => {
    const html = textOf(child(await rss(), `{${NS.content}}encoded`))
    const doc = parseXml(`<div>${html}</div>`)
    expect(descendants(doc, 'script')).toHaveLength(0)
    expect(html).toContain('&lt;script&gt;')
    const urls = [...descendants(doc, 'a').map((a) => a.attributes.href), ...descendants(doc, 'img').map((i) => i.attributes.src)]
    expect(urls.sort()).toEqual([
      'http://localhost:8787/about?a=1&b=2',
      'http://localhost:8787/img/chart.png',
      'https://img.example/photo.jpg?w=800&h=600',
    ])
    expect(html).not.toMatch(/loading="lazy"|data-src/)
    expect(descendants(doc, 'blockquote')).toHaveLength(1)
  })
})

describe('slot markers', () => {
  const feedTitled = (title: string) => {
    const feed = new Feed({ id: 'tag:test.example,2024:feed', title, copyright: 'c', link: 'https://test.example/', updated: new Date(0) })
    feed.addItem({ id: 'tag:test.example,2024:x', title, link: 'https://test.example/x', date: new Date(0) })
    return feed
  }

  it('are never substituted for text that only looks like one', async () => {
    const lookalike = '\\u00010\\u0001 ␁0␁ %010%01'
    const request = appFor(collection([article({ headline: lookalike, tags: [lookalike] })]))
    const item = child(child(parseXml(await (await request('/feed.xml')).text()), 'channel'), 'item')
    expect(textOf(child(item, 'title'))).toBe(lookalike)
    const entry = child(parseXml(await (await request('/atom.xml')).text()), `{${NS.atom}}entry`)
    expect(textOf(child(entry, `{${NS.atom}}title`))).toBe(lookalike)
    expect((await (await request('/feed.json')).json<{ items: { title: string; tags: string[] }[] }>()).items[0]).toMatchObject({ title: lookalike, tags: ['News', lookalike] })
  })

  it('cannot be forged: a value holding the marker character fails the render instead of being substituted', () => {
    for (const render of [renderRss, renderAtom]) {
      expect(() => render(feedTitled('a \u00010\u0001 b'))).toThrow('feed adapter: a value holds U+0001, the slot marker character')
    }
  })

  it('cannot be forged by a value `feed` writes as it is (a link): the output is refused', () => {
    const feed = feedTitled('t')
    feed.items[0]!.link = 'https://test.example/\u00010\u0001'
    for (const render of [renderRss, renderAtom]) {
      let out: string | undefined
      try {
        out = render(feed)
      } catch (err) {
        expect(String(err)).toMatch(/feed adapter: a slot marker reached the output that no slot made|Invalid URL/)
      }
      if (out !== undefined) expect(out).not.toContain('\u0001')
    }
  })
})

describe('character references in a body', () => {
  // markdown-it turns `&#12;` into U+000C (form feed), which XML 1.0 forbids; found by an audit
  // with the W3C validator: the RSS and Atom carrying it did not parse.
  it('never put a character XML forbids into RSS or Atom', async () => {
    const body = 'Page&#12;break, &#x0C; and &#x000C;, [a link](https://example.com/r "Annual&#x0C;report") ![alt&#12;text](https://example.com/i.png)'
    const request = appFor(collection([article({ body })]))
    for (const path of ['/feed.xml', '/atom.xml']) {
      const xml = await (await request(path)).text()
      expect(xml, path).not.toContain('\f')
      expect(() => parseXml(xml), path).not.toThrow()
    }
    const html = (await (await request('/feed.json')).json<{ items: { content_html: string }[] }>()).items[0]!.content_html
    expect(html).toContain('Page break')
  })
})
