/**
 * The HTML pages the feeds link to, and the answers for everything else: 404, 405, HEAD,
 * and no request that makes the worker fail.
 */
import { describe, expect, it } from 'vitest'
import content from '../../content/index'
import { get, ORIGIN } from '../helpers/worker'
import { child, children, descendants, NS, parseXml, textOf } from '../helpers/xml'

const STORY = content.articles[0]!

/** `<link rel="alternate">` tags of a page, as [type, href]. */
function alternates(html: string): [string, string][] {
  return [...html.matchAll(/<link rel="alternate" type="([^"]+)" title="[^"]*" href="([^"]+)"/g)].map((m) => [m[1]!, m[2]!])
}

describe('the home page', () => {
  it('lists the latest articles, linking to each', async () => {
    const res = await get('/')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const html = await res.text()
    expect(html).toContain(`href="/articles/${STORY.slug}"`)
    expect(html).toContain(STORY.headline)
  })

  it('advertises the three feeds for autodiscovery and links to them', async () => {
    const html = await (await get('/')).text()
    expect(alternates(html)).toEqual([
      ['application/rss+xml', `${ORIGIN}/feed.xml`],
      ['application/atom+xml', `${ORIGIN}/atom.xml`],
      ['application/feed+json', `${ORIGIN}/feed.json`],
    ])
    for (const path of ['/feed.xml', '/atom.xml', '/feed.json']) expect(html).toContain(`href="${path}"`)
  })
})

describe('the article page', () => {
  const page = async () => (await get(`/articles/${STORY.slug}`)).text()

  it('shows headline, byline, and the dateline as the newsroom wrote it', async () => {
    const html = await page()
    expect(html).toContain(`<h1>${STORY.headline}</h1>`)
    expect(html).toMatch(/By <a href="\/authors\/newsroom" rel="author">Herald Newsroom<\/a>/)
    expect(html).toMatch(/<time datetime="2024-03-28T23:58:00.000Z">7:58\sPM EDT, March 28, 2024<\/time>/)
  })

  it('shows the image caption and credit, the body and the quotation', async () => {
    const html = await page()
    expect(html).toContain('<figcaption>Citizens of Central Asian countries are fleeing Russia (illustrative photo) <small>© Telegram</small></figcaption>')
    expect(html).toContain('<blockquote>')
    expect(html).toContain("it's unclear who the Kremlin will target next.")
  })

  it("advertises its section's feeds and the site's", async () => {
    const types = alternates(await page()).map(([, href]) => href)
    expect(types).toEqual([
      `${ORIGIN}/sections/news/feed.xml`,
      `${ORIGIN}/sections/news/atom.xml`,
      `${ORIGIN}/sections/news/feed.json`,
      `${ORIGIN}/feed.xml`,
      `${ORIGIN}/atom.xml`,
      `${ORIGIN}/feed.json`,
    ])
  })

  it('works on a phone: viewport meta and no fixed widths', async () => {
    const html = await page()
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>')
    expect(html).not.toMatch(/width:\s*\d{3,}px/)
  })
})

describe('section, tag and author pages', () => {
  it.each([
    ['/sections/news', 'News'],
    ['/tags/russia', 'Russia'],
    ['/tags/central-asia', 'Central Asia'],
    ['/authors/newsroom', 'Herald Newsroom'],
  ])('%s lists its articles and advertises its own feeds', async (path, name) => {
    const res = await get(path)
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain(`<h1>${name}</h1>`)
    expect(html).toContain(`href="/articles/${STORY.slug}"`)
    expect(alternates(html)[0]).toEqual(['application/rss+xml', `${ORIGIN}${path}/feed.xml`])
  })
})

describe('every link in every feed', () => {
  it('resolves to a 200', async () => {
    const feeds = ['/feed.xml', '/atom.xml', '/feed.json', '/sections/news/feed.xml', '/tags/russia/atom.xml', '/authors/newsroom/feed.json']
    const urls = new Set<string>()
    for (const path of feeds) {
      const body = await (await get(path)).text()
      if (path.endsWith('.json')) {
        const json = JSON.parse(body)
        for (const u of [json.home_page_url, json.feed_url, json.favicon, ...json.authors.map((a: { url: string }) => a.url)]) urls.add(u)
        for (const item of json.items) {
          urls.add(item.url)
          for (const a of item.authors) urls.add(a.url)
        }
        continue
      }
      const doc = parseXml(body)
      for (const el of [...descendants(doc, 'link'), ...descendants(doc, `{${NS.atom}}link`)]) {
        urls.add(el.attributes.href ?? textOf(el))
      }
      for (const el of descendants(doc, `{${NS.atom}}uri`)) urls.add(textOf(el))
      for (const el of descendants(doc, `{${NS.atom}}icon`)) urls.add(textOf(el))
      for (const el of [...descendants(doc, 'category'), ...descendants(doc, `{${NS.atom}}category`)]) {
        urls.add(el.attributes.domain ?? el.attributes.scheme!)
      }
      for (const html of [...descendants(doc, `{${NS.content}}encoded`), ...descendants(doc, `{${NS.atom}}content`)]) {
        for (const a of descendants(parseXml(`<div>${textOf(html)}</div>`), 'a')) urls.add(a.attributes.href!)
      }
    }
    expect(urls.size).toBeGreaterThan(10)
    for (const url of urls) {
      expect(url, url).toMatch(new RegExp(`^${ORIGIN}/`))
      const res = await get(url.slice(ORIGIN.length))
      expect(res.status, url).toBe(200)
    }
  })
})

describe('requests that name nothing', () => {
  it('get a 404 page for unknown paths', async () => {
    for (const path of ['/nope', '/articles/nope', '/sections/nope', '/tags/nope/feed.xml', '/articles/', '/feed.xml/x']) {
      const res = await get(path)
      expect(res.status, path).toBe(404)
      expect(res.headers.get('content-type'), path).toBe('text/html; charset=utf-8')
      const html = await res.text()
      expect(html).toContain('<h1>Not found</h1>')
      // A standards-mode document, as every other page is.
      expect(html.startsWith('<!doctype html>'), path).toBe(true)
    }
  })

  it('get 405 with Allow for wrong methods on known paths', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['/', '/feed.xml', `/articles/${STORY.slug}`, '/sections/news/atom.xml']) {
        const res = await get(path, { method, body: method === 'DELETE' ? undefined : 'x' })
        expect(res.status, `${method} ${path}`).toBe(405)
        expect(res.headers.get('allow')).toBe('GET, HEAD, OPTIONS')
        expect(await res.text()).toMatch(/not allowed here/)
      }
    }
  })

  it('answer HEAD with the GET headers and no body', async () => {
    for (const path of ['/', '/feed.xml', '/feed.json', `/articles/${STORY.slug}`]) {
      const [head, full] = [await get(path, { method: 'HEAD' }), await get(path)]
      expect(head.status).toBe(200)
      expect(head.headers.get('content-type')).toBe(full.headers.get('content-type'))
      expect(head.headers.get('etag')).toBe(full.headers.get('etag'))
      expect(await head.text()).toBe('')
    }
  })

  it('never fail with a 500, whatever the path or query', async () => {
    const paths = [
      '/articles/%E0%A4%A', '/articles/%00', '/%', '/tags/%F0%9F%8E%89', '/articles/' + 'a'.repeat(10_000),
      '/?page=%zz&&&=', '/feed.xml?%', '/..%2F..%2Fetc%2Fpasswd', '//feed.xml', '/feed.xml;x', '/sections/news/feed.xml/',
    ]
    for (const path of paths) {
      const res = await get(path)
      expect(res.status, path).toBeLessThan(500)
    }
  })
})

describe('the feeds index', () => {
  it('lists every listing with its three feeds', async () => {
    const html = await (await get('/feeds')).text()
    for (const path of ['/feed.xml', '/sections/news/atom.xml', '/tags/migration/feed.json', '/authors/newsroom/feed.xml']) {
      expect(html).toContain(`href="${path}"`)
    }
  })
})

describe('the section feed', () => {
  it('is titled for the section and links back to its page', async () => {
    const channel = child(parseXml(await (await get('/sections/news/feed.xml')).text()), 'channel')
    expect(textOf(child(channel, 'title'))).toBe('News · Herald')
    expect(textOf(child(channel, 'link'))).toBe(`${ORIGIN}/sections/news`)
    expect(children(channel, 'item')).toHaveLength(1)
  })
})
