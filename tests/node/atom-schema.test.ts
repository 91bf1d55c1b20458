/**
 * Atom output against the normative RELAX NG schema of RFC 4287 (Appendix B), for generated
 * articles with hostile text. The worker's app runs here in Node, where libxml2's validator is.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createApp } from '../../src/app'
import { heraldOf } from '../helpers/archive'
import content from '../../content/index'
import type { Article } from '../../src/content/article'
import { tagSlug } from '../../src/site-map'
import { HOSTILE, hostileArticle, hostileContent } from '../fixtures/hostile'
import { atomSchemaErrors } from './helpers/atom-schema'
import { formatProblem, validateContent } from '../../src/build/validate'
import { articleFile, contentFrom, generated } from '../helpers/generators'

const ENV = { SITE_URL: 'http://localhost:8787', FEED_SIZE: '50' } as Env
const atomOf = async (app: ReturnType<typeof createApp>, path = '/atom.xml') => (await app.request(`http://localhost:8787${path}`, {}, ENV)).text()

describe('Atom and the RFC 4287 schema', () => {
  it('accepts the real feeds', async () => {
    const app = createApp(heraldOf(content))
    for (const path of ['/atom.xml', '/sections/news/atom.xml', '/tags/russia/atom.xml', '/authors/newsroom/atom.xml']) {
      expect(atomSchemaErrors(await atomOf(app, path)), path).toEqual([])
    }
  })

  it('accepts the hostile-strings article, enclosure included', async () => {
    expect(atomSchemaErrors(await atomOf(createApp(heraldOf(hostileContent))))).toEqual([])
  })

  it('accepts feeds carrying an RFC 6721 tombstone with a hostile reason, one story left and none left', async () => {
    const reason = `${HOSTILE.headline} ]]> ]]> </at:comment> &amp; \u{1F600}`
    const withdrawn = { ...hostileArticle, withdrawn: { at: '2024-06-02T10:00:00+02:00', reason } } as Article
    const other = { ...hostileArticle, id: 'tag:test.example,2024:other', slug: 'other', tags: ['ordinary'] } as Article
    const app = createApp(heraldOf({ ...hostileContent, articles: [withdrawn, other] }))
    for (const path of ['/atom.xml', '/sections/hostile/atom.xml', `/tags/${tagSlug(HOSTILE.tag)}/atom.xml`, '/tags/ordinary/atom.xml']) {
      const atom = await atomOf(app, path)
      expect(atom, path).toContain('<at:deleted-entry')
      expect(atomSchemaErrors(atom), path).toEqual([])
    }
  })

  it('rejects what the schema forbids (the check can fail)', () => {
    const missingId = '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><updated>2024-01-01T00:00:00Z</updated></feed>'
    expect(atomSchemaErrors(missingId).join('\n')).toMatch(/Expecting an element id/)
  })

  it('accepts every feed of any generated collection the check accepts (500 runs)', async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(generated, async (g) => {
        const c = contentFrom(g)
        if (validateContent(c, { articleFiles: c.articles.map((_, i) => articleFile(i)) }).map(formatProblem).length > 0) return
        accepted++
        const app = createApp(heraldOf(c))
        const opml = await (await app.request('http://localhost:8787/feeds.opml', {}, ENV)).text()
        // The OPML lists each listing's RSS feed; its Atom feed is beside it.
        const atoms = [...opml.matchAll(/xmlUrl="http:\/\/localhost:8787([^"]*)feed\.xml"/g)].map((m) => `${m[1]!}atom.xml`)
        expect(atoms.length).toBeGreaterThanOrEqual(3)
        for (const path of atoms) expect(atomSchemaErrors(await atomOf(app, path)), path).toEqual([])
      }),
      { numRuns: 500 },
    )
    expect(accepted).toBeGreaterThan(60)
  })
})
