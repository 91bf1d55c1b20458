/**
 * Cloudflare's subrequest limit, counted: every D1 query, queue send and outbound fetch of one
 * invocation counts, and the Free plan allows 50. Local workerd enforces none of it, so each kind
 * of invocation the hub and the fediverse make is counted here at its largest: a queue batch of
 * the size wrangler.toml gives the consumer (tests/node/build.test.ts holds the two to one number),
 * and a publish run over many topics and subscribers.
 */
import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { FREE_PLAN_SUBREQUESTS, HUB_BATCH_SIZE, AP_BATCH_SIZE } from '../../src/limits'
import { publishChanges } from '../../src/websub/publish'
import { deliveryRecords, upsertSubscription } from '../../src/websub/store'
import { publishFediverse } from '../../src/fediverse/publish'
import { article, collection } from '../helpers/content'
import { countingEnv, total, zero } from '../helpers/budget'
import { fakeSubscriber, hubWorker, runJobs } from '../helpers/hub'
import { fediWorker, follow, remoteServer, remoteUser, runApJobs } from '../helpers/fediverse'
import { ORIGIN } from '../helpers/worker'
import type { HubJob } from '../../src/websub/jobs'
import { feedPath, FORMAT_NAMES } from '../../src/site-map'

const TOPIC = `${ORIGIN}/feed.xml`
const NOW = Date.parse('2025-06-01T12:00:00Z')

beforeEach(async () => {
  for (const table of ['subscriptions', 'topic_state', 'deliveries', 'hub_requests', 'delivery_claims', 'delivery_attempts', 'ap_followers', 'ap_stories', 'ap_activities', 'ap_deliveries', 'ap_withdrawals']) {
    await env.DB.exec(`DELETE FROM ${table}`)
  }
})
afterEach(() => vi.restoreAllMocks())

async function subscribe(topic: string, callback: string) {
  const now = Date.now()
  await upsertSubscription(env, { topic, callback, secret: 'k', leaseSeconds: 86400, expiresAt: now + 86400_000 }, now)
}

// Twenty tags: with its home, section and author, 69 topics in three formats.
const TAGS = Array.from({ length: 20 }, (_, i) => `Tag ${i}`)
const story = article({ id: 'tag:test.example,2024:budget', published: '2025-05-01T00:00:00Z', tags: TAGS })

describe('a hub queue batch stays within the Free plan', () => {
  it(`${HUB_BATCH_SIZE} deliveries, each settled (the most a delivery queries), or each failing and noted`, async () => {
    const hub = hubWorker(collection([story]))
    const jobs: HubJob[] = []
    for (let i = 0; i < HUB_BATCH_SIZE; i++) {
      await subscribe(TOPIC, `https://s${i}.example/cb`)
      jobs.push({ kind: 'deliver', topic: TOPIC, callback: `https://s${i}.example/cb`, fingerprint: '"x"' })
    }
    for (const status of [204, 500]) {
      vi.restoreAllMocks()
      await env.DB.exec('DELETE FROM deliveries')
      const counts = zero()
      const calls = fakeSubscriber(() => new Response(null, { status }))
      await runJobs(countingEnv(hub.env, counts), await hub.herald(), jobs)
      counts.fetches = calls.length
      expect(counts.fetches).toBe(HUB_BATCH_SIZE)
      expect(total(counts), JSON.stringify(counts)).toBeLessThanOrEqual(FREE_PLAN_SUBREQUESTS)
    }
    expect(await deliveryRecords(env)).toHaveLength(0)
  })

  it(`${HUB_BATCH_SIZE} verifications of intent`, async () => {
    const hub = hubWorker(collection([story]))
    const jobs: HubJob[] = Array.from({ length: HUB_BATCH_SIZE }, (_, i) => ({ kind: 'verify', mode: 'subscribe', topic: TOPIC, callback: `https://s${i}.example/cb`, leaseSeconds: 86400 }))
    const counts = zero()
    const calls = fakeSubscriber((c) => new Response(c.url.searchParams.get('hub.challenge')))
    const result = await runJobs(countingEnv(hub.env, counts), await hub.herald(), jobs)
    counts.fetches = calls.length
    expect(result.explicitAcks).toHaveLength(HUB_BATCH_SIZE)
    expect(total(counts), JSON.stringify(counts)).toBeLessThanOrEqual(FREE_PLAN_SUBREQUESTS)
  })

  it(`${HUB_BATCH_SIZE} dead letters`, async () => {
    const hub = hubWorker(collection([story]))
    const jobs: HubJob[] = Array.from({ length: HUB_BATCH_SIZE }, (_, i) => ({ kind: 'deliver', topic: TOPIC, callback: `https://s${i}.example/cb`, fingerprint: '"x"' }))
    const counts = zero()
    await runJobs(countingEnv(hub.env, counts), await hub.herald(), jobs, { queue: 'herald-hub-dead' })
    expect(total(counts), JSON.stringify(counts)).toBeLessThanOrEqual(FREE_PLAN_SUBREQUESTS)
  })
})

describe('a publish run (the cron) stays within the Free plan', () => {
  it('costs the same few subrequests for 69 changed topics as for one: one query each for subscriptions and fingerprints', async () => {
    const hub = hubWorker(collection([story]), {}, new Date(NOW))
    const { archive } = await hub.herald()
    const urls = [archive.home, ...archive.sections.values(), ...archive.tags.values(), ...archive.authors.values()].flatMap((l) => FORMAT_NAMES.map((f) => archive.link(feedPath(l, f)).url))
    expect(urls.length).toBe(69)
    for (const t of urls) await subscribe(t, 'https://s.example/cb')
    const counts = zero()
    const report = await publishChanges(countingEnv(hub.env, counts), await hub.herald(), NOW)
    expect(report.changedTopics).toHaveLength(69)
    expect(report.deferredTopics).toEqual([])
    expect(hub.jobs).toHaveLength(69)
    // NOW is on the hour: this run does the housekeeping too (5 statements).
    expect(total(counts), JSON.stringify(counts)).toBeLessThanOrEqual(12)
    // Nothing changed, a minute later: the same fixed cost without housekeeping, and no messages.
    const quiet = zero()
    expect((await publishChanges(countingEnv(hub.env, quiet), await hub.herald(), NOW + 60_000)).changedTopics).toEqual([])
    expect(total(quiet), JSON.stringify(quiet)).toBeLessThanOrEqual(6)
  })

  it('leaves the changed topics whose messages would pass the limit for the next run, and each run delivers the next', async () => {
    // Room for one queue send a run: 50 subrequests less the hub's 4 queries and the fediverse's 20.
    const hub = hubWorker(collection([story]), { SUBREQUEST_LIMIT: '25' }, new Date(NOW))
    const topics = [`${ORIGIN}/atom.xml`, `${ORIGIN}/feed.json`, `${ORIGIN}/feed.xml`]
    for (const t of topics) for (let i = 0; i < 60; i++) await subscribe(t, `https://s${i}.example/cb`)
    const runs: string[][] = []
    for (let run = 0; run < 4; run++) {
      const counts = zero()
      const report = await publishChanges(countingEnv(hub.env, counts), await hub.herald(), NOW)
      runs.push(report.changedTopics)
      expect(total(counts), JSON.stringify(counts)).toBeLessThanOrEqual(25)
      expect(counts.queueSends).toBeLessThanOrEqual(1)
    }
    expect(runs).toEqual([[topics[0]], [topics[1]], [topics[2]], []])
    // Every subscriber of every topic has its one message.
    expect(hub.jobs).toHaveLength(180)
    expect(new Set(hub.jobs.map((j) => j.kind === 'deliver' && `${j.topic} ${j.callback}`)).size).toBe(180)
  })
})

describe("the fediverse's publish step stays within what the run has left", () => {
  it('sends the stories that fit, and leaves the others for the next run, each sent once', async () => {
    const alice = await remoteUser('alice')
    remoteServer([alice])
    const LIVE = Math.ceil((Date.now() + 86_400_000) / 1000) * 1000
    const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z') as never
    const burst = Array.from({ length: 8 }, (_, i) => article({ id: `tag:test.example,2024:burst-${i}`, slug: `burst-${i}`, published: iso(LIVE + i * 1000) }))
    const w = fediWorker(collection([story, ...burst]))
    const herald = await w.herald()
    await publishFediverse(w.env, herald, LIVE - 3_600_000)
    await follow(w, alice, `${ORIGIN}/ap/actors/news`)
    await follow(w, alice, `${ORIGIN}/ap/actors/news-section`)
    w.jobs.length = 0
    const created: string[][] = []
    for (let run = 0; run < 4; run++) {
      const counts = zero()
      const report = await publishFediverse(countingEnv(w.env, counts), herald, LIVE + 10_000, { left: 20 })
      created.push(report.created)
      expect(total(counts), JSON.stringify(counts)).toBeLessThanOrEqual(20)
    }
    // Six subrequests a story (its site and section inboxes, its Create and Announce, a send, its state): three a run.
    expect(created.map((c) => c.length)).toEqual([3, 3, 2, 0])
    expect(new Set(created.flat()).size).toBe(8)
    expect(w.jobs).toHaveLength(16)
  })
})

describe('a fediverse queue batch stays within the Free plan', () => {
  it(`${AP_BATCH_SIZE} deliveries cost what ${AP_BATCH_SIZE} times one does, within the limit`, async () => {
    const alice = await remoteUser('alice')
    remoteServer([alice])
    const LIVE = Date.now() + 86_400_000
    const scheduled = article({ id: 'tag:test.example,2024:later', slug: 'later', published: new Date(Math.ceil(LIVE / 1000) * 1000).toISOString().replace('.000Z', 'Z') as never })
    const w = fediWorker(collection([story, scheduled]))
    const herald = await w.herald()
    await publishFediverse(w.env, herald, LIVE - 3_600_000)
    await follow(w, alice, `${ORIGIN}/ap/actors/news`)
    w.jobs.length = 0
    await publishFediverse(w.env, herald, LIVE + 1000)
    expect(w.jobs).toHaveLength(1)
    vi.restoreAllMocks()
    const counts = zero()
    const { received } = remoteServer([alice])
    await runApJobs(countingEnv(w.env, counts), herald, w.jobs)
    counts.fetches = received.length
    expect(counts.fetches).toBe(1)
    expect(total(counts) * AP_BATCH_SIZE, JSON.stringify(counts)).toBeLessThanOrEqual(FREE_PLAN_SUBREQUESTS)
  })
})
