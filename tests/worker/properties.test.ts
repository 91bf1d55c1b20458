/**
 * Property tests: collections whose every text, name, tag and URL field is drawn from all of
 * Unicode. The check either refuses them, naming file, field and rule, or every document the
 * worker serves for them — RSS, Atom, JSON Feed, every HTML page, OPML — is well-formed (strict
 * parser), JSON Feed is schema-valid (uniqueItems and `format: uri` included), every id is an RFC
 * 4151 tag URI, and every format says the same thing for every value.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Archive } from '../../src/archive/archive'
import { formatProblem, validateContent } from '../../src/build/validate'
import { articleDocument } from '../../src/pages/views'
import { cutItem } from '../../src/feeds/fragments'
import { renderFeed, renderItemFragments } from '../../src/feeds/render'
import { article, collection } from '../helpers/content'
import { archiveOf, heraldOf } from '../helpers/archive'
import { articleFile, asName, asText, contentFrom, generated, isAcceptableText, TAG_URI, URI, type Generated } from '../helpers/generators'
import { jsonFeedErrors } from '../helpers/json-feed'
import { env } from 'cloudflare:workers'
import { createApp } from '../../src/app'
import { appFor, ORIGIN } from '../helpers/worker'
import { child, children, descendants, NS, parseXml, textOf, type XmlElement } from '../helpers/xml'

const RUNS = 400

/** `file: field: message`, the file one the collection is made of. */
const PROBLEM = /^content\/(?:articles\/generated-\d|authors|sections|site)\.ts: [\w.]+: \S.{8,}$/s

function problemsOf(g: Generated): string[] {
  const content = contentFrom(g)
  return validateContent(content, { articleFiles: content.articles.map((_, i) => articleFile(i)) }).map(formatProblem)
}

/** An HTML page, strictly: Herald's pages are XHTML-style, so an XML parser reads them. */
function parsePage(html: string): XmlElement {
  expect(html.startsWith('<!doctype html>')).toBe(true)
  return parseXml(html.slice('<!doctype html>'.length))
}

describe('any content', () => {
  it(`is refused naming file, field and rule, or served well-formed, valid and alike in every format (${RUNS} collections)`, async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        const problems = problemsOf(g)
        for (const p of problems) expect(p).toMatch(PROBLEM)
        // Every text field holding a character the text rule refuses is named in a problem.
        g.articles.forEach((a, i) => {
          const fields: [string, string | undefined][] = [
            ['headline', a.headline], ['dek', a.dek], ['body', a.body], ['image.caption', a.image?.caption],
            ['image.credit', a.image?.credit], ['image.file.alt', a.image?.alt], ['image.file.url', a.image?.url],
            ...a.tags.map((t): [string, string] => ['tags', t]),
          ]
          for (const [field, value] of fields) {
            if (value !== undefined && !isAcceptableText(value)) expect(problems.join('\n')).toContain(`${articleFile(i)}: ${field}: `)
          }
        })
        for (const [field, value] of Object.entries(g.site)) {
          if (!isAcceptableText(value)) expect(problems.join('\n')).toContain(`content/site.ts: ${field}: `)
        }
        for (const [field, value] of [['name', g.sectionName], ['description', g.sectionDescription]] as const) {
          if (!isAcceptableText(value)) expect(problems.join('\n')).toContain(`content/sections.ts: gen.${field}: `)
        }
        g.authors.forEach((a, i) => {
          if (!isAcceptableText(a.name)) expect(problems.join('\n')).toContain(`content/authors.ts: a${i}.name: `)
          if (a.url !== undefined && !isAcceptableText(a.url)) expect(problems.join('\n')).toContain(`content/authors.ts: a${i}.url: `)
        })
        if (problems.length > 0) return
        accepted++
        await servedWell(g)
      }),
      { numRuns: RUNS },
    )
    // The property is about accepted content: enough of it must be generated.
    expect(accepted).toBeGreaterThan(RUNS / 8)
  })
})

async function servedWell(g: Generated): Promise<void> {
  const content = contentFrom(g)
  const request = appFor(content)
  const ok = async (path: string) => {
    const res = await request(path)
    expect(res.status, path).toBe(200)
    return res.text()
  }
  const byId = new Map<string, Generated['articles'][number]>(content.articles.map((a, i) => [a.id, g.articles[i]!]))
  const sectionName = asName(g.sectionName)
  const siteTitle = asName(g.site.title)
  const expectedTags = (a: Generated['articles'][number]) => {
    const seen = new Set<string>()
    return a.tags.map(asName).filter((t) => !seen.has(t.toLowerCase()) && seen.add(t.toLowerCase()))
  }
  const imageUrl = (a: Generated['articles'][number]) => a.image && new URL(a.image.url).href

  // OPML: every listing's feed once (RSS), and every page it points at, is served; no address is a
  // dot-segment. Each listing's Atom and JSON Feed, beside its RSS, are walked too.
  const opml = parseXml(await ok('/feeds.opml'))
  const listed = descendants(opml, 'outline').filter((o) => o.attributes.xmlUrl)
  expect(listed.every((o) => o.attributes.xmlUrl!.endsWith('/feed.xml'))).toBe(true)
  const feeds = listed.flatMap((o) => ['feed.xml', 'atom.xml', 'feed.json'].map((file) => ({ attributes: { ...o.attributes, xmlUrl: o.attributes.xmlUrl!.replace(/feed\.xml$/, file) } })))
  const credited = new Set(content.articles.flatMap((a) => a.authors ?? []))
  const tagged = new Set(content.articles.flatMap((a) => a.tags.map((t) => asName(t).toLowerCase())))
  // Home, the section, each credited author and each tag (tags may share a page only when spelt alike).
  expect(feeds.length).toBe(3 * (2 + credited.size + tagged.size))
  for (const outline of feeds) {
    const { xmlUrl, htmlUrl } = outline.attributes as { xmlUrl: string; htmlUrl: string }
    for (const url of [xmlUrl, htmlUrl]) {
      expect(url).toMatch(URI)
      expect(new URL(url).pathname.split('/')).not.toContain('.')
      expect(new URL(url).pathname.split('/')).not.toContain('..')
      expect(url.startsWith(ORIGIN + '/')).toBe(true)
    }
    const body = await ok(xmlUrl.slice(ORIGIN.length))
    const home = new URL(xmlUrl).pathname.lastIndexOf('/') === 0
    const section = new URL(xmlUrl).pathname.startsWith('/sections/')
    if (xmlUrl.endsWith('.json')) {
      const json = JSON.parse(body)
      expect(jsonFeedErrors(json)).toEqual([])
      if (home) expect([json.title, json.description]).toEqual([siteTitle, asText(g.site.description)])
      if (section) expect([json.title, json.description]).toEqual([`${sectionName} · ${siteTitle}`, asText(g.sectionDescription)])
      for (const item of json.items) {
        expect(item.id).toMatch(TAG_URI)
        const a = byId.get(item.id)!
        expect(item.title).toBe(asText(a.headline))
        expect(item.summary).toBe(asText(a.dek))
        expect(item.tags).toEqual([...new Set([sectionName, ...expectedTags(a)])])
        expect(item.image).toBe(imageUrl(a))
        for (const url of [item.url, item.image, ...item.authors.map((x: { url: string }) => x.url)]) if (url !== undefined) expect(url).toMatch(URI)
      }
    } else if (xmlUrl.endsWith('atom.xml')) {
      const feed = parseXml(body)
      expect(textOf(child(feed, `{${NS.atom}}id`))).toMatch(TAG_URI)
      if (home) {
        expect(textOf(child(feed, `{${NS.atom}}title`))).toBe(siteTitle)
        expect(textOf(child(feed, `{${NS.atom}}rights`))).toBe(asText(g.site.copyright))
      }
      for (const entry of children(feed, `{${NS.atom}}entry`)) {
        const id = textOf(child(entry, `{${NS.atom}}id`))
        expect(id).toMatch(TAG_URI)
        const a = byId.get(id)!
        for (const [name, value] of [['title', a.headline], ['summary', a.dek]] as const) {
          const el = child(entry, `{${NS.atom}}${name}`)
          expect(el.attributes.type).toBe('text')
          expect(textOf(el)).toBe(asText(value))
        }
        expect(children(entry, `{${NS.atom}}category`).map((c) => c.attributes.label)).toEqual([sectionName, ...expectedTags(a)])
        const enclosure = children(entry, `{${NS.atom}}link`).find((l) => l.attributes.rel === 'enclosure')
        expect(enclosure?.attributes.href).toBe(imageUrl(a))
        if (a.image) expect(enclosure?.attributes.title).toBe(asText(a.image.alt))
        imgSrcIs(textOf(child(entry, `{${NS.atom}}content`)), imageUrl(a))
      }
    } else {
      const channel = child(parseXml(body), 'channel')
      if (home) {
        expect(textOf(child(channel, 'title'))).toBe(siteTitle)
        expect(textOf(child(channel, 'description'))).toBe(asText(g.site.description))
        expect(textOf(child(channel, 'copyright'))).toBe(asText(g.site.copyright))
      }
      for (const item of children(channel, 'item')) {
        const id = textOf(child(item, 'guid'))
        expect(id).toMatch(TAG_URI)
        const a = byId.get(id)!
        expect(textOf(child(item, 'title'))).toBe(asText(a.headline))
        expect(children(item, 'category').map(textOf)).toEqual([sectionName, ...expectedTags(a)])
        expect(children(item, `{${NS.dc}}creator`).map(textOf)).toEqual(
          content.articles.find((x) => x.id === id)!.authors!.map((k) => asName(content.authors[k]!.name)),
        )
        expect(children(item, 'enclosure')[0]?.attributes.url).toBe(imageUrl(a))
        if (a.image) {
          const media = child(item, `{${NS.media}}content`)
          expect(media.attributes.url).toBe(imageUrl(a))
          expect(textOf(child(media, `{${NS.media}}description`))).toBe(asText(a.image.caption))
          expect(textOf(child(media, `{${NS.media}}credit`))).toBe(asText(a.image.credit))
        }
        imgSrcIs(textOf(child(item, `{${NS.content}}encoded`)), imageUrl(a))
      }
    }
    parsePage(await ok(htmlUrl.slice(ORIGIN.length)))
  }

  // Pages of two stories, past the first: the build's items spliced into a page `feed` rendered
  // with its first story (src/feeds/fragments.ts) are byte for byte `feed`'s rendering of them all.
  const spliced = appFor(content, { FEED_SIZE: '2' })
  const whole = createApp(heraldOf(content, undefined, null))
  // Another deploy id, so that the two never share an edge-cache entry.
  const wholeVars = { ...env, FEED_SIZE: '2', CF_VERSION_METADATA: { id: 'every-item-through-feed', tag: '', timestamp: '' } } as unknown as Env
  const wholeRequest = (path: string) => whole.request(ORIGIN + path, {}, wholeVars)
  for (const outline of feeds) {
    let path: string | undefined = new URL(outline.attributes.xmlUrl!).pathname
    while (path) {
      const body = await (await spliced(path)).text()
      expect(body, path).toBe(await (await wholeRequest(path)).text())
      const next: string | undefined = path.includes('.json') ? (JSON.parse(body) as { next_url?: string }).next_url : /<(?:atom:)?link [^>]*rel="next"[^>]*>/.exec(body)?.[0].match(/href="([^"]+)"/)?.[1]?.replace(/&amp;/g, '&')
      path = next && next.slice(ORIGIN.length)
    }
  }

  // Every other page: articles and the indexes. An article page comes from the build (rendered
  // against the archive's placeholder origin, then given this one): it is byte for byte what the
  // page view renders for this origin.
  const archive = await Archive.open(archiveOf(content), ORIGIN)
  for (const path of ['/feeds', '/sections', '/tags', '/authors', ...content.articles.map((a) => `/articles/${a.slug}`)]) {
    const html = await ok(path)
    const page = parsePage(html)
    if (path.startsWith('/articles/')) {
      const article = content.articles.find((x) => path === `/articles/${x.slug}`)!
      expect(textOf(descendants(page, 'h1')[0]!)).toBe(asText(byId.get(article.id)!.headline))
      expect(html).toBe(articleDocument(archive, (await archive.story(article.slug, Date.now()))!))
    }
  }
}

/** The item HTML's lead image, where there is one, has the URL every format gives the image. */
function imgSrcIs(html: string, url: string | undefined) {
  const imgs = descendants(parseXml(`<div>${html}</div>`), 'img').filter((i) => i.attributes.width === '4')
  expect(imgs.map((i) => i.attributes.src)).toEqual(url === undefined ? [] : [url])
}

describe('feed items cut at build time', () => {
  /** Each story's item cut from `feed`'s rendering of it alone: what the build's cut of a whole block must equal. */
  async function compare(archive: Archive) {
    const stories = await archive.home.slice(0, archive.home.count)
    const page = { request: { kind: 'first' as const }, stories, links: { first: { kind: 'first' as const }, last: { kind: 'first' as const } }, scheduled: 0, withdrawn: [] }
    for (const format of ['rss', 'atom', 'json'] as const) {
      const none = renderFeed(archive, archive.home, page, format, [])
      expect(renderItemFragments(archive, archive.home, page, format), format).toEqual(stories.map((s) => cutItem(format, none, renderFeed(archive, archive.home, page, format, [s]))))
    }
  }

  it(`are each story's own item, cut from one rendering of a block (${RUNS / 4} collections)`, async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        if (problemsOf(g).length > 0) return
        await compare(await Archive.open(archiveOf(contentFrom(g)), ORIGIN))
      }),
      { numRuns: RUNS / 4 },
    )
  })

  it('are each cut alone when a story holds the text an item begins with (an Atom summary is CDATA)', async () => {
    const tricky = article({ slug: 'tricky', id: 'tag:herald.example.com,2024:tricky', dek: 'Quoted markup:\n    <entry> and\n        <item> as text.' })
    await compare(await Archive.open(archiveOf(collection([article(), tricky])), ORIGIN))
  })
})
