/**
 * The compiled archive (src/archive/): what `npm run build` writes is exactly the collection the
 * content modules describe — every listing in order, every anchor and slug found, scheduled
 * stories counted — and serving it reads a few small files per page, however large the archive.
 */
import fc from 'fast-check'
import { describe, expect, it, onTestFinished, vi } from 'vitest'
import { createApp } from '../../src/app'
import { Archive, type ReadFile } from '../../src/archive/archive'
import { compileToMap } from '../../src/build/compile'
import { SCHEDULE_MARGIN_MS } from '../../src/archive/format'
import type { Article, Content, Instant } from '../../src/content/article'
import { Collection, type Group } from '../../src/build/collection'
import { heraldFor } from '../../src/herald'
import { archiveOf, heraldOf } from '../helpers/archive'
import { article, collection, manyArticles } from '../helpers/content'
import { appFor, ORIGIN } from '../helpers/worker'

const BUILT = Date.parse('2025-06-01T12:00:00Z')
const HOUR = 3_600_000
const iso = (t: number) => new Date(t).toISOString().replace('.000Z', 'Z') as Instant

const SECTIONS = { news: { name: 'News', description: 'News.' }, sport: { name: 'Sport', description: 'Sport.' }, arts: { name: 'Arts', description: 'Arts.' } }
const AUTHORS = { newsroom: { name: 'Herald Newsroom' }, ana: { name: 'Ana', url: 'https://ana.example/' }, bo: { name: 'Bo' } }

/** Articles around the build instant: most long published, some scheduled, some drafts. */
const articles = fc.array(
  fc.record({
    hoursFromBuild: fc.integer({ min: -2000, max: 72 }),
    correctedAfterHours: fc.option(fc.integer({ min: 0, max: 500 }), { nil: undefined }),
    section: fc.constantFrom('news', 'sport', 'arts'),
    tags: fc.subarray(['Alpha', 'Beta', 'Gamma', 'Delta'], { maxLength: 3 }),
    authors: fc.subarray(['ana', 'bo', 'newsroom'] as const, { minLength: 0, maxLength: 2 }),
    draft: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  }),
  { maxLength: 150 },
)

function build(specs: { hoursFromBuild: number; correctedAfterHours?: number; section: string; tags: string[]; authors: string[]; draft: boolean }[]): Content {
  const list: Article[] = specs.map((s, i) => {
    const published = BUILT + s.hoursFromBuild * HOUR + i * 1000
    return article({
      id: `tag:test.example,2025:archive-${i}`,
      slug: `archive-${i}`,
      published: iso(published),
      ...(s.correctedAfterHours !== undefined && { updated: iso(published + s.correctedAfterHours * HOUR) }),
      section: s.section,
      tags: s.tags,
      ...(s.authors.length > 0 && { authors: s.authors as [string, ...string[]] }),
      ...(s.draft && { draft: true }),
    })
  })
  return collection(list, { sections: SECTIONS, authors: AUTHORS })
}

async function open(content: Content): Promise<Archive> {
  const files = await compileToMap(content, { builtAt: new Date(BUILT) })
  return Archive.open(async (path) => files.get(path), ORIGIN)
}

/** Every listing of the build's collection beside the archive's listing of the same key. */
function pairs(groups: Collection, archive: Archive): [Group, ReturnType<Archive['sections']['get']>][] {
  return [
    [groups.home, archive.home],
    ...[...groups.sections].map(([k, g]): [Group, ReturnType<Archive['sections']['get']>] => [g, archive.sections.get(k)]),
    ...[...groups.tags].map(([k, g]): [Group, ReturnType<Archive['sections']['get']>] => [g, archive.tags.get(k)]),
    ...[...groups.authors].map(([k, g]): [Group, ReturnType<Archive['sections']['get']>] => [g, archive.authors.get(k)]),
  ]
}

describe('the compiled archive', () => {
  it('holds every listing of the content, in order, with its anchors, slugs and scheduled stories (100 generated archives)', async () => {
    await fc.assert(
      fc.asyncProperty(articles, async (specs) => {
        const content = build(specs)
        const groups = new Collection(content, ORIGIN)
        const archive = await open(content)
        expect(archive.tags.size).toBe(groups.tags.size)
        expect(archive.authors.size).toBe(groups.authors.size)
        for (const [group, listing] of pairs(groups, archive)) {
          expect(listing, group.key).toBeDefined()
          expect(listing!.key).toBe(group.key)
          expect(listing!.path).toBe(group.path)
          expect(listing!.count).toBe(group.stories.length)
          const read = await listing!.slice(0, listing!.count)
          expect(read.map((s) => s.id)).toEqual(group.stories.map((s) => s.id))
          expect(read.map((s) => s.html)).toEqual(group.stories.map((s) => s.html))
          for (const [i, s] of group.stories.entries()) {
            expect(await listing!.positionOf(s.anchor)).toBe(i)
            expect(await listing!.anchorAt(i)).toBe(s.anchor)
          }
          // At and after the build, including instants between scheduled stories, and before it by
          // less than the margin a worker's clock may lag the build machine's (SCHEDULE_MARGIN_MS).
          for (const now of [BUILT - SCHEDULE_MARGIN_MS + 1, BUILT - 20 * HOUR, BUILT, BUILT + 5 * HOUR, BUILT + 30 * HOUR, BUILT + 100 * HOUR]) {
            const k = group.stories.filter((s) => s.published.getTime() > now).length
            expect(listing!.scheduledCount(now)).toBe(k)
            expect(listing!.isListed(now)).toBe(group.key === 'home' || group.key.startsWith('section/') || k < group.stories.length)
            const newest = group.stories.slice(k).reduce<number | undefined>((m, s) => Math.max(m ?? 0, s.updated.getTime()), undefined)
            expect(listing!.newestUpdateFrom(k)?.getTime()).toBe(newest)
          }
        }
        // A story of another listing is not in this one.
        for (const story of groups.stories) {
          expect(await archive.story(story.slug, BUILT + 1000 * HOUR)).toMatchObject({ id: story.id, url: story.url, section: { key: story.section.key } })
          expect(await archive.story(story.slug, story.published.getTime() - 1)).toBeUndefined()
          for (const [key, tag] of groups.tags) {
            const expected = tag.stories.includes(story) ? tag.stories.indexOf(story) : undefined
            expect(await archive.tags.get(key)!.positionOf(story.anchor)).toBe(expected)
          }
        }
        expect(await archive.story('no-such-story', BUILT)).toBeUndefined()
        expect(await archive.home.positionOf('zzzzzzzzzzzzzz')).toBeUndefined()
      }),
      { numRuns: 100 },
    )
  })

  it('is the same archive for the same content: a rebuild changes nothing but the build instant', async () => {
    const content = collection(manyArticles(70))
    const a = await compileToMap(content, { builtAt: new Date(BUILT) })
    const b = await compileToMap(content, { builtAt: new Date(BUILT + HOUR) })
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort())
    for (const [path, text] of a) if (path !== 'manifest.json') expect(b.get(path), path).toBe(text)
    expect(JSON.parse(a.get('manifest.json')!).fingerprint).toBe(JSON.parse(b.get('manifest.json')!).fingerprint)
  })
})

describe('a deploy with one new story', () => {
  it('changes the last story block and a few small files, not the archive', async () => {
    const stories = manyArticles(301)
    const before = await compileToMap(collection(stories.slice(0, 300)), { builtAt: new Date(BUILT) })
    const after = await compileToMap(collection(stories), { builtAt: new Date(BUILT) })
    const changed = [...after].filter(([path, text]) => before.get(path) !== text).map(([path]) => path)
    // 300 stories fill blocks 0–9 (the last one partly); the 301st joins block 9.
    expect(changed.filter((p) => p.startsWith('stories/'))).toEqual(['stories/9.txt'])
    expect(changed.filter((p) => p.startsWith('keys/')).length).toBeLessThanOrEqual(2)
    // The manifest, and the story lists of the listings the story is in (its section, tag, author).
    expect(changed.filter((p) => p.startsWith('listings/')).length).toBeLessThanOrEqual(3)
    expect(changed.length).toBeLessThanOrEqual(7)
  })
})

/** A Herald over `content` that counts the archive files each request reads. */
function counted(content: Content, vars: Record<string, string> = {}) {
  const read = archiveOf(content, new Date())
  const paths: string[] = []
  const reader: ReadFile = (path) => (paths.push(path), read(path))
  const app = createApp(heraldFor(() => reader))
  const request = (path: string) => app.request(ORIGIN + path, {}, { SITE_URL: ORIGIN, ...vars } as Env)
  return { paths, request }
}

describe('feeds prerendered at build time', () => {
  const app = (content: Content, prerender: boolean) => {
    const a = createApp(heraldOf(content, new Date(BUILT), prerender ? { origin: ORIGIN, feedSize: 50 } : null))
    return (path: string) => a.request(ORIGIN + path, {}, { SITE_URL: ORIGIN, FEED_SIZE: '50' } as Env)
  }

  it('are byte for byte what the worker renders, ETag and Last-Modified included (50 generated archives)', async () => {
    // Served at the build instant: the scheduled stories are still the build's.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(BUILT)
    onTestFinished(() => void vi.useRealTimers())
    await fc.assert(
      fc.asyncProperty(articles, async (specs) => {
        const content = build(specs)
        const prebuilt = app(content, true)
        const rendered = app(content, false)
        for (const path of ['/feed.xml', '/atom.xml', '/feed.json', '/sections/sport/feed.xml', '/sections/arts/feed.json']) {
          const [a, b] = [await prebuilt(path), await rendered(path)]
          expect(a.headers.get('x-herald-cache'), path).toBe('prebuilt')
          // Rendered now, or by an earlier run for the same content (the edge cache).
          expect(['render', 'edge'], path).toContain(b.headers.get('x-herald-cache'))
          expect(await a.text(), path).toBe(await b.text())
          for (const h of ['etag', 'last-modified', 'content-type', 'link']) expect(a.headers.get(h), `${path} ${h}`).toBe(b.headers.get(h))
        }
      }),
      { numRuns: 50 },
    )
  })

  it('are not used for another origin or feed size, nor once a scheduled story is out', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(BUILT)
      const content = collection([article({ published: iso(BUILT - HOUR) }), article({ headline: 'Later', published: iso(BUILT + HOUR) })])
      const source = heraldOf(content, new Date(BUILT), { origin: ORIGIN, feedSize: 50 })
      const a = createApp(source)
      const get = (path: string, vars: Record<string, string> = {}) => a.request(ORIGIN + path, {}, { SITE_URL: ORIGIN, FEED_SIZE: '50', ...vars } as Env)
      expect((await get('/feed.xml')).headers.get('x-herald-cache')).toBe('prebuilt')
      expect((await get('/feed.xml', { FEED_SIZE: '10' })).headers.get('x-herald-cache')).toBe('render')
      expect((await get('/feed.xml', { SITE_URL: 'https://news.example.com' })).headers.get('x-herald-cache')).toBe('render')
      vi.setSystemTime(BUILT + 2 * HOUR)
      const later = await get('/feed.xml')
      expect(later.headers.get('x-herald-cache')).toBe('render')
      expect(await later.text()).toContain('Later')
    } finally {
      vi.useRealTimers()
    }
  })
})

describe('serving from the archive', () => {
  it('reads a few files for a first request, the same few at 200 and at 2,000 stories, and none once rendered', async () => {
    const reads: Record<number, { prebuilt: string[]; rendered: number }> = {}
    for (const n of [200, 2000]) {
      const { paths, request } = counted(collection(manyArticles(n)))
      // A feed: the manifest and the build's rendering, nothing else.
      expect((await request('/feed.xml')).headers.get('x-herald-cache')).toBe('prebuilt')
      const prebuilt = [...paths]
      paths.length = 0
      for (const path of ['/feed.xml', '/feed.json', '/atom.xml']) expect((await request(path)).status).toBe(200)
      // Memoised, and each other format reads its own prerendered file, once.
      expect(paths).toEqual(['feeds/0.json', 'feeds/0.atom'])

      // Rendered on demand (a feed size the build did not prerender for): the tag's story list, the
      // blocks of its 40 newest stories, and the block of its last page's anchor.
      const other = counted(collection(manyArticles(n)), { FEED_SIZE: '40' })
      expect((await other.request('/tags/odd/feed.xml')).headers.get('x-herald-cache')).toMatch(/render|edge/)
      reads[n] = { prebuilt, rendered: other.paths.length }
      other.paths.length = 0
      expect((await other.request('/tags/odd/feed.xml')).status).toBe(200)
      expect(other.paths).toEqual([])
    }
    expect(reads[200]!.prebuilt).toEqual(['manifest.json', 'feeds/0.rss'])
    expect(reads[2000]!.prebuilt).toEqual(['manifest.json', 'feeds/0.rss'])
    // Manifest + story list + 3 or 4 blocks (the odd stories among 80) and their item files + the
    // last anchor's block.
    expect(reads[200]!.rendered).toBeLessThanOrEqual(11)
    expect(reads[2000]!.rendered).toBeLessThanOrEqual(11)
  })

  it('splices a dense page from the build\'s item files, and reads a sparse one\'s stories from its chunks, not a block a story', async () => {
    // One story in 40 is tagged Sparse: a page of its 10 stories spans 10 blocks.
    const articles = manyArticles(2000).map((a, i) => (i % 40 === 0 ? { ...a, tags: ['Sparse'] } : a))
    const { paths, request } = counted(collection(articles), { FEED_SIZE: '10' })
    expect((await request('/feed.xml')).status).toBe(200)
    expect(paths.filter((p) => p.startsWith('items/')).length).toBeGreaterThan(0)
    expect(paths.filter((p) => p.startsWith('items/')).length).toBeLessThanOrEqual(2)
    expect(paths.filter((p) => p.startsWith('chunks/'))).toEqual([])
    paths.length = 0
    const first = await request('/tags/sparse/feed.xml')
    expect(first.status).toBe(200)
    // Its one chunk (50 stories), the block of its last page's anchor, and no item file.
    expect(paths.filter((p) => p.startsWith('chunks/'))).toHaveLength(1)
    expect(paths.filter((p) => p.startsWith('stories/')).length).toBeLessThanOrEqual(1)
    expect(paths.filter((p) => p.startsWith('items/'))).toEqual([])
    // The stories are the tag's, newest first, each as its block has it.
    const guids = [...(await first.text()).matchAll(/<guid[^>]*>([^<]*)<\/guid>/g)].map((m) => m[1])
    expect(guids).toEqual(Array.from({ length: 10 }, (_, k) => `tag:test.example,2024:bulk-${1960 - 40 * k}`))
  })

  it('gives a sparse listing\'s stories from its chunks exactly as from their blocks, across chunk boundaries', async () => {
    // 130 stories tagged Sparse, one in 7: three chunks (64, 64, 2), counted from the oldest.
    const articles = manyArticles(910).map((a, i) => (i % 7 === 3 ? { ...a, tags: ['Sparse'] } : a))
    const content = collection(articles)
    const files = await compileToMap(content, { builtAt: new Date() })
    const manifest = JSON.parse(files.get('manifest.json')!) as { listings: { slug: string; chunks?: number }[] }
    expect(manifest.listings.find((l) => l.slug === 'sparse')?.chunks).toBe(3)
    // Dense listings (home, every other story's tag) have none.
    expect(manifest.listings.filter((l) => l.chunks).map((l) => l.slug)).toEqual(['sparse'])
    const archive = await Archive.open(async (path) => files.get(path), ORIGIN)
    const sparse = archive.tags.get('sparse')!
    expect(sparse.count).toBe(130)
    for (const [start, end] of [[0, 130], [0, 2], [1, 3], [60, 70], [128, 130], [125, 200]] as const) {
      const stories = await sparse.slice(start, end)
      const expected = await Promise.all(stories.map((s) => archive.story(s.slug, Date.now())))
      expect(stories.map((s) => s.slug)).toEqual(Array.from({ length: Math.min(end, 130) - start }, (_, k) => `bulk-${906 - 7 * (start + k)}`))
      expect(stories).toEqual(expected)
    }
  })

  it('reads one key shard and one file of prerendered pages for an article, and never the whole archive', async () => {
    const { paths, request } = counted(collection(manyArticles(2000)))
    expect((await request('/articles/bulk-1234')).status).toBe(200)
    expect(paths.filter((p) => p.startsWith('keys/'))).toHaveLength(1)
    expect(paths.filter((p) => p.startsWith('pages/'))).toHaveLength(1)
    // The page was rendered at build time: no story block is read to render it.
    expect(paths.filter((p) => p.startsWith('stories/'))).toHaveLength(0)
    expect((await request('/articles/no-such-story')).status).toBe(404)
  })

  it('keeps a block’s article pages as records after a line of their UTF-8 lengths, each served whole, and refuses a file whose lengths do not add up', async () => {
    // Stories are numbered from the oldest: bulk-0 … bulk-31 share pages/0.txt. Multi-byte text
    // early in the block moves every later record's bytes away from its characters.
    const list = manyArticles(40).map((a, i) => (i === 3 ? { ...a, headline: 'Zürich — “quoted” 🎉 naïve', body: 'Ünïcödé all through: ✓ 😀 日本語.' } : a))
    const files = await compileToMap(collection(list), { builtAt: new Date() })
    const text = files.get('pages/0.txt')!
    const newline = text.indexOf('\n')
    const lengths = JSON.parse(text.slice(0, newline)) as number[]
    expect(lengths).toHaveLength(32)
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(new TextEncoder().encode(text.slice(newline + 1)).length)
    const app = createApp(heraldFor(() => async (path) => files.get(path)))
    for (const i of [0, 3, 4, 31, 32]) {
      const res = await app.request(`${ORIGIN}/articles/bulk-${i}`, {}, { SITE_URL: ORIGIN } as Env)
      expect(res.status).toBe(200)
      const title = /<title>([^<]*)<\/title>/.exec(await res.text())?.[1]
      expect(title).toContain(list[i]!.headline)
    }
    files.set('pages/0.txt', `${JSON.stringify([...lengths.slice(0, -1), lengths.at(-1)! + 1])}${text.slice(newline)}`)
    const damaged = await createApp(heraldFor(() => async (path) => files.get(path))).request(`${ORIGIN}/articles/bulk-4`, {}, { SITE_URL: ORIGIN } as Env)
    expect(damaged.status).toBe(503)
    expect(await damaged.text()).toMatch(/pages\/0\.txt is damaged \(its lengths do not add up\).*npm run build/)
  })

  it('makes body links absolute against the serving origin, not the build’s, and leaves text alone', async () => {
    const story = article({ body: 'See [the other story](/articles/other) and ![map](/img/map.png "Map"). Text: ="https://herald.invalid/x' })
    const request = appFor(collection([story]), { SITE_URL: 'https://news.example.com' })
    const html = await (await request(`/articles/${story.slug}`)).text()
    expect(html).toContain('href="https://news.example.com/articles/other"')
    expect(html).toContain('src="https://news.example.com/img/map.png"')
    expect(html).toContain('=&quot;https://herald.invalid/x')
    const json = await (await request('/feed.json')).json<{ items: { content_html: string }[] }>()
    expect(json.items[0]!.content_html).toContain('href="https://news.example.com/articles/other"')
  })

  it("leaves a link title or an image's alt as the editor wrote it, though it begins with the build's origin", async () => {
    const story = article({ body: '[x](/a "https://herald.invalid/x") and ![https://herald.invalid/y](/b.png)' })
    for (const site of ['https://news.example.com', ORIGIN]) {
      const request = appFor(collection([story]), { SITE_URL: site })
      const html = await (await request(`/articles/${story.slug}`)).text()
      const json = await (await request('/feed.json')).json<{ items: { content_html: string }[] }>()
      for (const [where, text] of [['page', html], ['JSON Feed', json.items[0]!.content_html]]) {
        expect(text, `${site} ${where}`).toContain(`href="${site}/a" title="https://herald.invalid/x"`)
        expect(text, `${site} ${where}`).toContain(`src="${site}/b.png" alt="https://herald.invalid/y"`)
      }
    }
  })

  it('answers 503 with what to run when the archive is not built, and when a file of it is missing', async () => {
    const none = createApp(heraldFor(() => async () => undefined))
    const res = await none.request(`${ORIGIN}/feed.xml`, {}, { SITE_URL: ORIGIN } as Env)
    expect(res.status).toBe(503)
    expect(await res.text()).toContain('npm run build')

    const files = await compileToMap(collection(manyArticles(100)), { builtAt: new Date() })
    // Stories are numbered from the oldest: the newest of 100 are in block 3.
    files.delete('stories/3.txt')
    const broken = createApp(heraldFor(() => async (path) => files.get(path)))
    const feed = await broken.request(`${ORIGIN}/feed.xml`, {}, { SITE_URL: ORIGIN } as Env)
    expect(feed.status).toBe(503)
    expect(await feed.text()).toMatch(/stories\/3\.txt is missing.*npm run build/)
    // A later request tries again rather than remembering the failure.
    files.set('stories/3.txt', (await compileToMap(collection(manyArticles(100)), { builtAt: new Date() })).get('stories/3.txt')!)
    expect((await broken.request(`${ORIGIN}/feed.xml`, {}, { SITE_URL: ORIGIN } as Env)).status).toBe(200)

    // A prerendered feed cut short (no head line): refused the same way, not sent as a feed.
    const prerendered = await compileToMap(collection(manyArticles(100)), { builtAt: new Date(), prerender: { origin: ORIGIN, feedSize: 50 } })
    prerendered.set('feeds/0.rss', '{"scheduled":0')
    const cut = createApp(heraldFor(() => async (path) => prerendered.get(path)))
    const rss = await cut.request(`${ORIGIN}/feed.xml`, {}, { SITE_URL: ORIGIN } as Env)
    expect(rss.status).toBe(503)
    expect(await rss.text()).toMatch(/feeds\/0\.rss is missing or damaged.*npm run build/)
    expect((await cut.request(`${ORIGIN}/atom.xml`, {}, { SITE_URL: ORIGIN } as Env)).headers.get('x-herald-cache')).toBe('prebuilt')
  })

  it('answers 503 naming the file, and logs it, when an archive file is truncated or not JSON', async () => {
    const logged: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args) => void logged.push(args.map(String).join(' ')))
    onTestFinished(() => void vi.restoreAllMocks())
    const files = await compileToMap(collection(manyArticles(100)), { builtAt: new Date() })
    const whole = files.get('stories/3.txt')!
    for (const damaged of [whole.slice(0, whole.length / 2), 'not json at all']) {
      files.set('stories/3.txt', damaged)
      const app = createApp(heraldFor(() => async (path) => files.get(path)))
      const res = await app.request(`${ORIGIN}/feed.xml`, {}, { SITE_URL: ORIGIN } as Env)
      expect(res.status).toBe(503)
      expect(res.headers.get('retry-after')).toBe('30')
      expect(await res.text()).toMatch(/archive file stories\/3\.txt is damaged .*npm run build/)
      expect(logged.at(-1)).toMatch(/herald: 503: .*stories\/3\.txt is damaged/)
    }
  })

  it('parses only the records a page shows: a damaged record elsewhere in its block is not read', async () => {
    const logged: string[] = []
    vi.spyOn(console, 'error').mockImplementation((...args) => void logged.push(args.map(String).join(' ')))
    onTestFinished(() => void vi.restoreAllMocks())
    const files = await compileToMap(collection(manyArticles(100)), { builtAt: new Date() })
    // Block 1 holds stories 32–63; the first page (the 50 newest) shows 50–63 of them. Story 40's
    // record becomes garbage of the same length, so the block's lengths still add up.
    const bytes = new TextEncoder().encode(files.get('stories/1.txt')!)
    const head = bytes.indexOf(0x0a)
    const lengths = JSON.parse(new TextDecoder().decode(bytes.subarray(0, head))) as number[]
    const from = head + 1 + lengths.slice(0, 8).reduce((a, b) => a + b, 0)
    bytes.fill(0x23, from, from + lengths[8]!)
    files.set('stories/1.txt', new TextDecoder().decode(bytes))
    const app = createApp(heraldFor(() => async (path) => files.get(path)))
    const first = await app.request(`${ORIGIN}/feed.xml`, {}, { SITE_URL: ORIGIN } as Env)
    expect(first.status).toBe(200)
    const next = /<atom:link href="([^"]+)" rel="next"/.exec(await first.text())![1]!.replace(/&amp;/g, '&')
    const older = await app.request(next, {}, { SITE_URL: ORIGIN } as Env)
    expect(older.status).toBe(503)
    expect(await older.text()).toMatch(/archive file stories\/1\.txt is damaged .*npm run build/)
  })

  it('answers 503 naming manifest.json on every route, the hub and 404s included, when the manifest is garbage', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {})
    onTestFinished(() => void vi.restoreAllMocks())
    for (const garbage of ['{"format":', '\u0000\u0001garbage', '42', '{"format": 2}']) {
      const app = createApp(heraldFor(() => async (path) => (path === 'manifest.json' ? garbage : undefined)))
      for (const [path, init] of [['/feed.xml', {}], ['/', {}], ['/no/such/page', {}], ['/hub', { method: 'POST', body: 'hub.mode=subscribe', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }]] as const) {
        const res = await app.request(`${ORIGIN}${path}`, init, { SITE_URL: ORIGIN } as Env)
        expect(res.status, `${garbage} ${path}`).toBe(503)
        expect(await res.text()).toMatch(/manifest\.json is damaged.*npm run build/)
      }
    }
  })
})
