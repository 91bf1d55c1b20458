/**
 * Property tests: any string an editor can type, in every text field of an article, yields feeds
 * that a strict parser accepts, and reads back as typed — less what XML cannot carry at all.
 * At least 1,000 generated articles per run.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Collection } from '../../src/content/collection'
import { contentFrom, generated, whatXmlCarries } from '../helpers/generators'
import { jsonFeedErrors } from '../helpers/json-feed'
import { appFor, ORIGIN } from '../helpers/worker'
import { child, children, htmlToText, NS, parseXml, textOf } from '../helpers/xml'

const RUNS = 1000

describe('any text in any field', () => {
  it(`keeps RSS, Atom and JSON Feed well-formed and faithful (${RUNS} articles)`, async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        const content = contentFrom(g)
        const request = appFor(content)
        const story = new Collection(content, ORIGIN).stories[0]!
        const headline = whatXmlCarries(g.headline)
        const dek = whatXmlCarries(g.dek)
        const authors = g.authorNames.map(whatXmlCarries)
        // Tags as the model keeps them (empty and duplicate tags dropped), each read back as typed.
        const tags = story.tags.map((t) => t.name)
        for (const t of tags) expect(g.tags.map(whatXmlCarries)).toContain(t)
        const categories = [whatXmlCarries(g.sectionName), ...tags]

        // RSS 2.0
        const item = child(child(parseXml(await (await request('/feed.xml')).text()), 'channel'), 'item')
        expect(textOf(child(item, 'title'))).toBe(headline)
        expect(htmlToText(textOf(child(item, 'description')))).toBe(dek)
        expect(textOf(child(item, `{${NS.content}}encoded`))).toBe(story.html)
        expect(children(item, 'category').map(textOf)).toEqual(categories)
        expect(children(item, `{${NS.dc}}creator`).map(textOf)).toEqual(authors)
        if (g.image) {
          const media = child(item, `{${NS.media}}content`)
          expect(textOf(child(media, `{${NS.media}}description`))).toBe(whatXmlCarries(g.image.caption))
          expect(textOf(child(media, `{${NS.media}}credit`))).toBe(whatXmlCarries(g.image.credit))
        }

        // Atom 1.0
        const entry = child(parseXml(await (await request('/atom.xml')).text()), `{${NS.atom}}entry`)
        expect(htmlToText(textOf(child(entry, `{${NS.atom}}title`)))).toBe(headline)
        expect(htmlToText(textOf(child(entry, `{${NS.atom}}summary`)))).toBe(dek)
        expect(textOf(child(entry, `{${NS.atom}}content`))).toBe(story.html)
        expect(children(entry, `{${NS.atom}}category`).map((c) => c.attributes.label)).toEqual(categories)
        expect(children(entry, `{${NS.atom}}author`).map((a) => textOf(child(a, `{${NS.atom}}name`)))).toEqual(authors)
        if (g.image) {
          const enclosure = children(entry, `{${NS.atom}}link`).find((l) => l.attributes.rel === 'enclosure')
          expect(enclosure?.attributes).toMatchObject({ type: 'image/png', title: whatXmlCarries(g.image.alt) })
        }

        // JSON Feed 1.1
        const json = JSON.parse(await (await request('/feed.json')).text())
        expect(jsonFeedErrors(json)).toEqual([])
        const jsonItem = json.items[0]
        expect(jsonItem.title).toBe(headline)
        expect(jsonItem.summary).toBe(dek)
        expect(jsonItem.content_html).toBe(story.html)
        expect(jsonItem.tags).toEqual(categories)
        expect(jsonItem.authors.map((a: { name: string }) => a.name)).toEqual(authors)
      }),
      { numRuns: RUNS },
    )
  })

  it('keeps every page a 200 for any text (200 articles)', async () => {
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        const request = appFor(contentFrom(g))
        for (const path of ['/', '/articles/generated', '/sections/gen', '/feeds', '/tags']) {
          expect((await request(path)).status).toBe(200)
        }
      }),
      { numRuns: 200 },
    )
  })
})
