/**
 * Withdrawals (issue 13): a story withdrawn for a later instant is served until then; from the
 * instant, in the same isolate and without a redeploy, its page is 410 Gone with the notice, and
 * it is gone from every feed (three formats, every listing it was in, first and archive pages),
 * every HTML listing, the indexes and OPML, and the outbox. Paging stays whole, the validators and
 * every cached copy change, Atom says `at:deleted-entry`. The clock is moved as the scheduled-story
 * tests move it.
 */
import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import real from '../../content/index'
import { createApp } from '../../src/app'
import type { Article } from '../../src/content/article'
import { anchorOf } from '../../src/content/story'
import { publishFediverse } from '../../src/fediverse/publish'
import { deliveries } from '../../src/fediverse/store'
import { publishChanges } from '../../src/websub/publish'
import { upsertSubscription } from '../../src/websub/store'
import { article, collection, manyArticles } from '../helpers/content'
import { fediWorker, follow, REMOTE, remoteServer, remoteUser, runApJobs, verifyDelivery } from '../helpers/fediverse'
import { echoChallenge, fakeSubscriber, hubWorker, runJobs } from '../helpers/hub'
import { jsonFeedErrors } from '../helpers/json-feed'
import { idsOf, walk } from '../helpers/walk'
import { appFor, heraldOf, ORIGIN } from '../helpers/worker'
import { archiveOf } from '../helpers/archive'
import { heraldFor } from '../../src/herald'
import type { ReadFile } from '../../src/archive/archive'
import { child, children, NS, parseXml, textOf } from '../helpers/xml'

afterEach(() => vi.useRealTimers())

const HOUR = 3_600_000
const TOMBSTONES = 'http://purl.org/atompub/tombstones/1.0'
const NOW = Date.parse('2025-06-01T12:00:00Z')
const AT = NOW + 2 * HOUR
const REASON = 'The story relied on a source who has since recanted. <We> regret it & apologise.'
const CALLBACK = 'https://subscriber.example/cb'
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z') as Article['published']

// 120 stories an hour apart, the newest an hour before NOW; the withdrawn one is the 50th newest,
// the last story of every feed's first page, and the only story of a tag and of an author.
const bulk = manyArticles(120, NOW - 120 * HOUR)
const target: Article = {
  ...bulk[70]!,
  headline: 'A story that will be withdrawn',
  tags: ['Even', 'Retracted'],
  authors: ['solo'],
  withdrawn: { at: iso(AT), reason: REASON },
}
const articles = bulk.map((a) => (a.id === target.id ? target : a))
const site = collection(articles, { authors: { ...real.authors, solo: { name: 'Solo Reporter' } } })
const NEWEST_FIRST = [...articles].reverse().map((a) => a.id)
const REMAINING = NEWEST_FIRST.filter((id) => id !== target.id)

const FORMATS = { rss: 'feed.xml', atom: 'atom.xml', json: 'feed.json' } as const
/** Every listing the story is in, by its path. */
const LISTINGS = ['', '/sections/news', '/tags/even', '/tags/retracted', '/authors/solo']
const FEEDS = LISTINGS.flatMap((l) => (Object.keys(FORMATS) as (keyof typeof FORMATS)[]).map((f) => ({ format: f, path: `${l}/${FORMATS[f]}` })))

function at(ms: number) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(ms)
}

/** A worker deployed at NOW, before the withdrawal takes effect. */
function deployed() {
  at(NOW)
  return appFor(site)
}

describe('a story withdrawn for a later instant', () => {
  it('is served as before until the instant', async () => {
    const request = deployed()
    expect((await request(`/articles/${target.slug}`)).status).toBe(200)
    for (const { format, path } of FEEDS) expect(idsOf(format, await (await request(path)).text()), path).toContain(target.id)
    expect(await (await request('/tags')).text()).toContain('Retracted')
    expect(await (await request('/feeds.opml')).text()).toContain('/tags/retracted/feed.xml')
    expect(children(parseXml(await (await request('/atom.xml')).text()), `{${TOMBSTONES}}deleted-entry`)).toEqual([])
  })

  it('from the instant answers 410 Gone with the reason and the instant, without a redeploy', async () => {
    const request = deployed()
    expect((await request(`/articles/${target.slug}`)).status).toBe(200)
    at(AT)
    const res = await request(`/articles/${target.slug}`)
    expect(res.status).toBe(410)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    const page = await res.text()
    expect(page).toContain('This story has been withdrawn')
    expect(page).toContain('The story relied on a source who has since recanted. &lt;We&gt; regret it &amp; apologise.')
    expect(page).toContain(`<time datetime="${new Date(AT).toISOString()}">2:00 PM UTC, June 1, 2025</time>`)
    // Nothing of the story itself: its headline may be what had to go.
    expect(page).not.toContain(target.headline)
    // A 410 is not a 200: no 304 for it, whatever validators a client sends.
    expect((await request(`/articles/${target.slug}`, { headers: { 'If-None-Match': '*' } })).status).toBe(410)
    expect((await request(`/articles/${target.slug}`, { method: 'HEAD' })).status).toBe(410)
  })

  it('from the instant is gone from every feed it was in, in all three formats, with new validators', async () => {
    const request = deployed()
    const before = new Map<string, Response>()
    for (const { path } of FEEDS) before.set(path, await request(path))
    at(AT)
    for (const { format, path } of FEEDS) {
      const old = before.get(path)!
      const res = await request(path, { headers: { 'If-None-Match': old.headers.get('etag')! } })
      expect(res.status, path).toBe(200)
      expect(res.headers.get('etag'), path).not.toBe(old.headers.get('etag'))
      // A story leaving is a change: If-Modified-Since alone sees it too.
      expect(res.headers.get('last-modified'), path).toBe(new Date(AT).toUTCString())
      expect((await request(path, { headers: { 'If-Modified-Since': old.headers.get('last-modified')! } })).status, path).toBe(200)
      const body = await res.text()
      expect(idsOf(format, body), path).not.toContain(target.id)
      expect(body, path).not.toContain(target.headline)
      if (format === 'json') expect(jsonFeedErrors(JSON.parse(body)), path).toEqual([])
    }
    // The first page of the home feed now ends with the story that was 51st.
    expect(idsOf('json', await (await request('/feed.json')).text())).toEqual(REMAINING.slice(0, 50))
    // The story's only tag and author keep their feeds, empty, for their readers and subscribers.
    expect(idsOf('rss', await (await request('/tags/retracted/feed.xml')).text())).toEqual([])
  })

  it('from the instant is gone from every HTML listing page, the indexes and OPML; a tag or author left with none is not listed', async () => {
    const request = deployed()
    at(AT)
    for (const path of ['/', `/?before=${anchorOf(REMAINING[40]!)}`, '/sections/news', '/tags/even', '/feeds', '/tags', '/authors', '/feeds.opml']) {
      const res = await request(path)
      expect(res.status, path).toBe(200)
      const body = await res.text()
      expect(body, path).not.toContain(target.headline)
      expect(body, path).not.toContain(`/articles/${target.slug}"`)
    }
    for (const path of ['/tags', '/feeds', '/feeds.opml']) expect(await (await request(path)).text(), path).not.toMatch(/tags\/retracted/)
    for (const path of ['/authors', '/feeds', '/feeds.opml']) expect(await (await request(path)).text(), path).not.toMatch(/authors\/solo/)
    expect((await request('/tags/retracted')).status).toBe(404)
    expect((await request('/authors/solo')).status).toBe(404)
    // OPML: the home, the section and the two tags with stories, each in three formats.
    const opml = parseXml(await (await request('/feeds.opml')).text())
    const outlines = children(child(opml, 'body'), 'outline')
    expect(outlines.map((o) => o.attributes.text)).toEqual(['Herald', 'News · Herald', 'Even · Herald', 'Odd · Herald', 'Herald Newsroom · Herald'])
  })

  it('walking any feed over the withdrawn story finds every other story exactly once, and old anchors still work', async () => {
    const request = deployed()
    const secondPage = JSON.parse(await (await request('/feed.json')).text()).next_url as string
    // The link a reader took from the first page is anchored on the withdrawn story.
    expect(secondPage).toBe(`${ORIGIN}/feed.json?before=${anchorOf(target.id)}`)
    at(AT)
    for (const format of ['rss', 'atom', 'json'] as const) {
      const { ids, pages } = await walk(request, format, `${ORIGIN}/${FORMATS[format]}`)
      expect(ids, format).toEqual(REMAINING)
      expect(pages).toBe(3)
    }
    const tag = await walk(request, 'atom', `${ORIGIN}/tags/even/atom.xml`)
    expect(tag.ids).toEqual(REMAINING.filter((id) => Number(id.split('-').pop()) % 2 === 0))
    // ?before=<withdrawn> is the stories older than it, ?after=<withdrawn> the newer ones.
    expect(idsOf('json', await (await request(secondPage.slice(ORIGIN.length))).text())).toEqual(REMAINING.slice(49, 99))
    const newer = await request(`/feed.json?after=${anchorOf(target.id)}`)
    expect(idsOf('json', await newer.text())).toEqual(REMAINING.slice(0, 49))
    // An archive page starting after the story is the same stories, and links back without a gap.
    const page3 = JSON.parse(await (await request(`/feed.json?before=${anchorOf(REMAINING[98]!)}`)).text())
    expect(page3.items.map((i: { id: string }) => i.id)).toEqual(REMAINING.slice(99))
    const back = JSON.parse(await (await request(`/feed.json?after=${anchorOf(REMAINING[99]!)}`)).text())
    expect(back.items.map((i: { id: string }) => i.id)).toEqual(REMAINING.slice(49, 99))
  })

  it('Atom first pages carry an RFC 6721 at:deleted-entry: ref the entry id, when the instant, the reason as at:comment', async () => {
    const request = deployed()
    at(AT)
    for (const listing of LISTINGS) {
      const feed = parseXml(await (await request(`${listing}/atom.xml`)).text())
      const tombs = children(feed, `{${TOMBSTONES}}deleted-entry`)
      expect(tombs.map((t) => [t.attributes.ref, t.attributes.when]), listing).toEqual([[target.id, new Date(AT).toISOString()]])
      expect(textOf(child(tombs[0]!, `{${TOMBSTONES}}comment`))).toBe(REASON)
      // Among the feed's metadata, before the first entry, as the Atom schema wants foreign elements.
      const names = feed.children.filter((c) => typeof c !== 'string').map((c) => (c as { name: string }).name)
      const firstEntry = names.indexOf(`{${NS.atom}}entry`)
      if (firstEntry >= 0) expect(names.indexOf(`{${TOMBSTONES}}deleted-entry`)).toBeLessThan(firstEntry)
    }
    // Not on an archive page; RSS and JSON Feed have no word for it (the item is simply gone).
    expect(await (await request(`/atom.xml?before=${anchorOf(REMAINING[10]!)}`)).text()).not.toContain('deleted-entry')
    expect(await (await request('/feed.xml')).text()).not.toContain(TOMBSTONES)
  })

  it('is left out of the outbox and the NodeInfo post count; its ActivityStreams object is a 410 Tombstone', async () => {
    const request = deployed()
    const AP = { Accept: 'application/activity+json' }
    const outboxBefore = (await (await request('/ap/actors/news/outbox', { headers: AP })).json()) as { totalItems: number }
    expect(outboxBefore.totalItems).toBe(120)
    at(AT)
    expect(((await (await request('/ap/actors/news/outbox', { headers: AP })).json()) as { totalItems: number }).totalItems).toBe(119)
    const objects: string[] = []
    for (let page = 1; page <= 6; page++) {
      const p = (await (await request(`/ap/actors/news/outbox?page=${page}`, { headers: AP })).json()) as { orderedItems: { object: { id: string } }[] }
      objects.push(...p.orderedItems.map((i) => i.object.id))
    }
    expect(objects).toHaveLength(119)
    expect(new Set(objects).size).toBe(119)
    expect(objects).not.toContain(`${ORIGIN}/articles/${target.slug}`)
    expect(((await (await request('/nodeinfo/2.1')).json()) as { usage: { localPosts: number } }).usage.localPosts).toBe(119)
    const res = await request(`/articles/${target.slug}`, { headers: AP })
    expect(res.status).toBe(410)
    expect(await res.json()).toEqual({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${ORIGIN}/articles/${target.slug}`,
      type: 'Tombstone',
      formerType: 'Article',
      deleted: new Date(AT).toISOString(),
    })
  })
})

describe('cached copies never outlive a withdrawal', () => {
  const served = (herald: ReturnType<typeof heraldOf>) => {
    const app = createApp(herald)
    return (path: string) => app.request(ORIGIN + path, {}, { ...env, SITE_URL: ORIGIN, FEED_SIZE: '50' } as Env)
  }
  const prebuilt = (builtAt: number) => served(heraldOf(site, new Date(builtAt), { origin: ORIGIN, feedSize: 50 }))

  it('a first page prerendered before the instant is not served after it', async () => {
    at(NOW)
    const request = prebuilt(NOW)
    const before = await request('/atom.xml')
    expect(before.headers.get('x-herald-cache')).toBe('prebuilt')
    at(AT)
    const after = await request('/atom.xml')
    expect(after.headers.get('x-herald-cache')).not.toBe('prebuilt')
    expect(idsOf('atom', await after.text())).not.toContain(target.id)
  })

  it('a pending or past withdrawal costs a first request no archive read: the manifest and the prerendered feed, as without one', async () => {
    for (const builtAt of [NOW, AT + HOUR]) {
      at(builtAt)
      const read = archiveOf(site, new Date(builtAt), { origin: ORIGIN, feedSize: 50 })
      const paths: string[] = []
      const counting: ReadFile = Object.assign((path: string) => (paths.push(path), read(path)), { bytes: (path: string) => (paths.push(path), read.bytes!(path)) })
      const request = served(heraldFor(() => counting))
      const res = await request('/feed.xml')
      expect(res.headers.get('x-herald-cache')).toBe('prebuilt')
      expect(paths).toEqual(['manifest.json', 'feeds/0.rss'])
    }
  })

  it('a build after the instant prerenders without the story, byte for byte what the worker renders', async () => {
    at(AT + HOUR)
    const built = prebuilt(AT + HOUR)
    const rendered = served(heraldOf(site, new Date(AT + HOUR), null))
    for (const { path } of FEEDS) {
      const a = await built(path)
      const b = await rendered(path)
      expect(a.headers.get('x-herald-cache'), path).toBe('prebuilt')
      expect(b.headers.get('x-herald-cache'), path).not.toBe('prebuilt')
      expect(a.headers.get('etag'), path).toBe(b.headers.get('etag'))
      expect(await a.text(), path).toBe(await b.text())
    }
  })
})

describe('WebSub: subscribers of every topic the story was in get the changed feed', () => {
  beforeEach(async () => {
    for (const table of ['subscriptions', 'topic_state', 'deliveries', 'hub_requests', 'delivery_claims', 'delivery_attempts']) await env.DB.exec(`DELETE FROM ${table}`)
  })
  afterEach(() => vi.restoreAllMocks())

  it('the publish step notices the withdrawal taking effect and pushes each changed topic, once', async () => {
    at(NOW)
    const hub = hubWorker(site, {}, new Date(NOW))
    const touched = FEEDS.map((f) => `${ORIGIN}${f.path}`)
    const untouched = `${ORIGIN}/tags/odd/feed.xml`
    for (const topic of [...touched, untouched]) {
      await upsertSubscription(env, { topic, callback: CALLBACK, secret: null, leaseSeconds: 86400, expiresAt: NOW + 86400_000 }, NOW)
    }
    await publishChanges(hub.env, await hub.herald(), NOW)
    hub.jobs.length = 0
    expect((await publishChanges(hub.env, await hub.herald(), AT - 1)).changedTopics).toEqual([])

    at(AT)
    const report = await publishChanges(hub.env, await hub.herald(), AT)
    expect(report.changedTopics.sort()).toEqual([...touched].sort())
    expect(report.deliveriesQueued).toBe(15)
    expect((await publishChanges(hub.env, await hub.herald(), AT + 1)).changedTopics).toEqual([])

    // Each subscriber receives the feed as it now is: without the story; Atom with its tombstone.
    const calls = fakeSubscriber(echoChallenge)
    const result = await runJobs(hub.env, await hub.herald(), hub.jobs)
    expect(result.explicitAcks).toHaveLength(15)
    expect(calls.map((c) => c.url.href).sort()).toEqual(Array(15).fill(CALLBACK))
    const byTopic = new Map(calls.map((c) => [/<([^>]+)>; rel="self"/.exec(c.headers.get('link')!)![1]!, c.body]))
    for (const { format, path } of FEEDS) {
      const body = byTopic.get(`${ORIGIN}${path}`)!
      expect(idsOf(format, body), path).not.toContain(target.id)
      if (format === 'atom') expect(children(parseXml(body), `{${TOMBSTONES}}deleted-entry`), path).toHaveLength(1)
      // The same bytes a GET of the topic gives now.
      expect(body, path).toBe(await (await hub.request(path)).text())
    }
  })
})

describe('followers get one Delete of a Tombstone', () => {
  const AP = { Accept: 'application/activity+json' }
  const SITE_ACTOR = `${ORIGIN}/ap/actors/news`
  beforeEach(async () => {
    for (const table of ['ap_followers', 'ap_stories', 'ap_activities', 'ap_deliveries', 'ap_withdrawals']) await env.DB.exec(`DELETE FROM ${table}`)
  })
  afterEach(() => vi.restoreAllMocks())


  it('through the queue, to every server following the site or the section, retried until delivered, never twice', async () => {
    at(NOW)
    const alice = await remoteUser('alice')
    const carol = await remoteUser('carol')
    let status = 503
    const { received } = remoteServer([alice, carol], { inboxStatus: () => status })
    const w = fediWorker(site, new Date(NOW))
    const herald = await w.herald()
    await publishFediverse(w.env, herald, NOW)
    await follow(w, alice, SITE_ACTOR)
    await follow(w, carol, `${ORIGIN}/ap/actors/news-section`)
    w.jobs.length = 0
    received.length = 0

    expect(await publishFediverse(w.env, herald, AT - 1)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })
    at(AT)
    expect(await publishFediverse(w.env, herald, AT)).toEqual({ created: [], updated: [], deleted: [`${ORIGIN}/articles/${target.slug}`], deliveriesQueued: 1 })
    expect(await publishFediverse(w.env, herald, AT + 1)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })
    // alice and carol share one server: one Delete, to its shared inbox, signed by the site.
    expect(w.jobs.map((j) => [j.actor, j.inbox])).toEqual([['news', `${REMOTE}/inbox`]])

    const failed = await runApJobs(w.env, herald, w.jobs, { attempts: 1 })
    expect(failed.retryMessages).toEqual([{ msgId: 'm0' }])
    expect(failed.delays.m0).toBe(2)
    status = 202
    expect((await runApJobs(w.env, herald, w.jobs, { attempts: 2 })).explicitAcks).toEqual(['m0'])
    expect(received).toHaveLength(2)
    const del = received[1]!
    expect(del.json).toEqual({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id: `${SITE_ACTOR}/activities/delete-${anchorOf(target.id)}`,
      type: 'Delete',
      actor: SITE_ACTOR,
      published: new Date(AT).toISOString(),
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${SITE_ACTOR}/followers`],
      object: { id: `${ORIGIN}/articles/${target.slug}`, type: 'Tombstone', formerType: 'Article', deleted: new Date(AT).toISOString() },
    })
    const pem = ((await (await w.request('/ap/actors/news', { headers: AP })).json()) as { publicKey: { publicKeyPem: string } }).publicKey.publicKeyPem
    expect(await verifyDelivery(del, pem)).toBe(true)
    // A redelivered message is acknowledged without a second POST.
    expect((await runApJobs(w.env, herald, w.jobs, { attempts: 3 })).explicitAcks).toEqual(['m0'])
    expect(received).toHaveLength(2)
    expect(await deliveries(w.env)).toEqual([expect.objectContaining({ inbox: `${REMOTE}/inbox`, outcome: 'delivered', attempts: 2 })])
  })

  it('reaches a server whose only follower follows the section; one that exhausts its retries is recorded by the dead-letter consumer', async () => {
    at(NOW)
    const carol = await remoteUser('carol')
    const { received } = remoteServer([carol], { inboxStatus: () => 500 })
    const w = fediWorker(site, new Date(NOW))
    const herald = await w.herald()
    await publishFediverse(w.env, herald, NOW)
    await follow(w, carol, `${ORIGIN}/ap/actors/news-section`)
    w.jobs.length = 0
    at(AT)
    expect((await publishFediverse(w.env, herald, AT)).deleted).toEqual([`${ORIGIN}/articles/${target.slug}`])
    expect(w.jobs.map((j) => [j.actor, j.inbox])).toEqual([['news', `${REMOTE}/inbox`]])
    expect((await runApJobs(w.env, herald, w.jobs, { queue: 'herald-ap-dead' })).explicitAcks).toEqual(['m0'])
    expect(await deliveries(w.env)).toEqual([expect.objectContaining({ activity_id: expect.stringContaining('/activities/delete-'), outcome: 'dead', detail: 'retries exhausted' })])
    expect(received.filter((r) => r.json.type === 'Delete')).toEqual([])
  })

  it('a story withdrawn before any run sent it gets neither Create nor Delete; a withdrawal already in effect on the first run is baseline', async () => {
    at(NOW)
    const alice = await remoteUser('alice')
    remoteServer([alice])
    // Goes live an hour after the deploy and is withdrawn an hour later: no run in between.
    const brief: Article = { ...article({ published: iso(NOW + HOUR), section: 'news' }), withdrawn: { at: iso(NOW + 2 * HOUR), reason: 'Published in error.' } }
    const w = fediWorker(collection([...bulk, brief]), new Date(NOW))
    const herald = await w.herald()
    await publishFediverse(w.env, herald, NOW)
    await follow(w, alice, SITE_ACTOR)
    w.jobs.length = 0
    at(NOW + 3 * HOUR)
    expect(await publishFediverse(w.env, herald, NOW + 3 * HOUR)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })
    expect(w.jobs).toEqual([])

    await env.DB.exec('DELETE FROM ap_stories')
    await env.DB.exec('DELETE FROM ap_withdrawals')
    const late = fediWorker(site, new Date(AT + HOUR))
    const lateHerald = await late.herald()
    at(AT + HOUR)
    expect(await publishFediverse(late.env, lateHerald, AT + HOUR)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })
    expect(await publishFediverse(late.env, lateHerald, AT + 2 * HOUR)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })
  })
})

describe('paging with any withdrawals (property)', () => {
  const specs = fc.array(
    fc.record({
      tags: fc.subarray(['Alpha', 'Beta'], { minLength: 1 }),
      // Hours after publication the withdrawal takes effect, if it is withdrawn.
      withdrawnAfter: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined, freq: 2 }),
    }),
    { minLength: 1, maxLength: 24 },
  )

  it('every listing, walked three stories a page in every format, is the published stories less those withdrawn, each once; every withdrawn anchor pages from its place (80 collections)', async () => {
    const start = Date.parse('2025-01-01T00:00:00Z')
    await fc.assert(
      // The worker's clock may be behind the build's by less than a day (SCHEDULE_MARGIN_MS), as the README says.
      fc.asyncProperty(specs, fc.integer({ min: 0, max: 60 }), fc.integer({ min: -23, max: 60 }), async (list, builtH, afterBuildH) => {
        const nowH = builtH + afterBuildH
        const stories = list.map((s, i) => {
          const published = start + i * HOUR
          const a = article({ id: `tag:test.example,2024:p-${i}`, slug: `p-${i}`, published: iso(published), tags: s.tags })
          return s.withdrawnAfter === undefined ? a : { ...a, withdrawn: { at: iso(published + s.withdrawnAfter * HOUR), reason: `Reason ${i}.` } }
        })
        const now = start + nowH * HOUR
        at(start + builtH * HOUR)
        const app = createApp(heraldOf(collection(stories), new Date(start + builtH * HOUR)))
        at(now)
        const request = (path: string) => app.request(ORIGIN + path, {}, { ...env, FEED_SIZE: '3' } as unknown as Env)
        for (const [listing, tag] of [['', undefined], ['/tags/alpha', 'Alpha'], ['/tags/beta', 'Beta']] as const) {
          const inListing = stories.filter((s) => !tag || s.tags.includes(tag)).reverse()
          const visible = inListing.filter((s) => Date.parse(s.published) <= now && !(s.withdrawn && Date.parse(s.withdrawn.at) <= now)).map((s) => s.id)
          const out = inListing.filter((s) => s.withdrawn && Date.parse(s.withdrawn.at) <= now)
          const first = await request(`${listing}/feed.json`)
          if (first.status === 404) {
            // A tag none of whose stories has run yet.
            expect(inListing.every((s) => Date.parse(s.published) > now), listing).toBe(true)
            continue
          }
          for (const format of ['rss', 'atom', 'json'] as const) expect((await walk(request, format, `${ORIGIN}${listing}/${FORMATS[format]}`)).ids, `${listing} ${format}`).toEqual(visible)
          // rel="last" is the three oldest, anchored from the oldest end.
          const last = children(parseXml(await (await request(`${listing}/atom.xml`)).text()), `{${NS.atom}}link`).find((l) => l.attributes.rel === 'last')!.attributes.href!
          expect(idsOf('atom', await (await request(last.slice(ORIGIN.length))).text()), `${listing} last`).toEqual(visible.slice(-3))
          for (const w of out) {
            const older = visible.filter((id) => inListing.findIndex((s) => s.id === id) > inListing.indexOf(w))
            const res = await request(`${listing}/feed.json?before=${anchorOf(w.id)}`)
            expect(res.status).toBe(200)
            expect(idsOf('json', await res.text())).toEqual(older.slice(0, 3))
          }
        }
      }),
      { numRuns: 80 },
    )
  })
})
