/**
 * Herald on the fediverse (issue 13): WebFinger, NodeInfo, actors, an article by content
 * negotiation, the outbox and followers collection, inbox refusals, Follow → signed Accept, Undo,
 * and Create/Announce/Update fan-out through the queue consumer with retries and dead letters.
 * Real D1 (migrated), the worker's HTTP interface, a remote server behind a mocked fetch whose
 * signer and verifier are written in the test.
 */
import { env } from 'cloudflare:workers'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Article } from '../../src/content/article'
import { anchorOf } from '../../src/content/story'
import { publishFediverse } from '../../src/fediverse/publish'
import { deliveries } from '../../src/fediverse/store'
import { article, collection } from '../helpers/content'
import { actorDoc, fediWorker, follow, REMOTE, remoteServer, remoteUser, runApJobs, signedPost, verifyDelivery, type RemoteUser } from '../helpers/fediverse'
import { get, ORIGIN } from '../helpers/worker'

const AP = { Accept: 'application/activity+json' }
const SITE_ACTOR = `${ORIGIN}/ap/actors/news`
const SECTION_ACTOR = `${ORIGIN}/ap/actors/news-section`
const HOUR = 3_600_000
const nowSeconds = () => Math.floor(Date.now() / 1000)
/** A signature over (created) and (expires) and no Date, made now and good for five minutes. */
const CREATED = { headers: '(request-target) host (created) (expires) digest content-type', created: nowSeconds(), expires: nowSeconds() + 300 }

beforeEach(async () => {
  for (const table of ['ap_followers', 'ap_stories', 'ap_activities', 'ap_deliveries', 'ap_withdrawals']) await env.DB.exec(`DELETE FROM ${table}`)
})
afterEach(() => vi.restoreAllMocks())

const old = article({ slug: 'old-story', headline: 'An old story', published: '2024-05-01T12:00:00Z', tags: ['Russia', 'Central Asia'] })
// Scheduled relative to the real clock: the archive counts a story as scheduled only after its build.
const LIVE_AT = Math.ceil((Date.now() + 86_400_000) / 1000) * 1000
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z') as Article['published']
const scheduled = article({
  id: 'tag:test.example,2024:scheduled',
  slug: 'scheduled-story',
  headline: 'A scheduled story',
  published: iso(LIVE_AT),
  image: { caption: 'A caption', credit: 'A credit', file: { url: 'https://img.example/a.jpg', alt: 'People at a border post', width: 1200, height: 800, type: 'image/jpeg', bytes: 1000 } },
})
const corrected: Article = { ...scheduled, headline: 'A scheduled story (corrected)', updated: iso(LIVE_AT + 86_400_000) }

async function json(res: Response) {
  return (await res.json()) as Record<string, any>
}

describe('discovery', () => {
  it('WebFinger finds the site account by acct: and by actor URL', async () => {
    for (const resource of ['acct:news@localhost:8787', SITE_ACTOR]) {
      const res = await get(`/.well-known/webfinger?resource=${encodeURIComponent(resource)}`)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/jrd+json; charset=utf-8')
      const jrd = await json(res)
      expect(jrd.subject).toBe('acct:news@localhost:8787')
      expect(jrd.links).toContainEqual({ rel: 'self', type: 'application/activity+json', href: SITE_ACTOR })
    }
  })

  it('WebFinger finds a section account, 404s an unknown one or another host, 400s no resource', async () => {
    expect((await json(await get('/.well-known/webfinger?resource=acct:news-section@localhost:8787'))).links[0].href).toBe(SECTION_ACTOR)
    expect((await get('/.well-known/webfinger?resource=acct:nobody@localhost:8787')).status).toBe(404)
    expect((await get('/.well-known/webfinger?resource=acct:news@elsewhere.example')).status).toBe(404)
    expect((await get('/.well-known/webfinger')).status).toBe(400)
  })

  it('WebFinger answers with CORS even when it refuses, 400s a malformed acct: and does not echo the resource', async () => {
    for (const [query, status] of [['', 400], ['?resource=acct:', 400], ['?resource=acct:@', 400], ['?resource=acct:%3Cscript%3E@localhost:8787', 404]] as const) {
      const res = await get(`/.well-known/webfinger${query}`)
      expect(res.status, query).toBe(status)
      expect(res.headers.get('access-control-allow-origin'), query).toBe('*')
      expect(res.headers.get('x-content-type-options'), query).toBe('nosniff')
      expect(await res.text(), query).not.toContain('<script>')
    }
  })

  it('answers other methods on its routes 405 with Allow, OPTIONS 204 with it, and unknown paths 404', async () => {
    for (const [path, allow] of [['/ap/inbox', 'POST, OPTIONS'], ['/ap/actors/news/inbox', 'POST, OPTIONS'], ['/ap/actors/news', 'GET, HEAD, OPTIONS'], ['/.well-known/webfinger', 'GET, HEAD, OPTIONS']] as const) {
      const method = allow.startsWith('POST') ? 'GET' : 'POST'
      const refused = await get(path, { method, headers: AP })
      expect(refused.status, `${method} ${path}`).toBe(405)
      expect(refused.headers.get('allow'), path).toBe(allow)
      expect((await get(path, { method: 'PUT' })).headers.get('allow'), path).toBe(allow)
      const options = await get(path, { method: 'OPTIONS' })
      expect(options.status, path).toBe(204)
      expect(options.headers.get('allow'), path).toBe(allow)
    }
    expect((await get('/ap/nothing-here', { method: 'DELETE' })).status).toBe(404)
  })

  it('NodeInfo 2.1 is linked from /.well-known/nodeinfo and names the software and protocol', async () => {
    const links = await json(await get('/.well-known/nodeinfo'))
    expect(links.links[0]).toEqual({ rel: 'http://nodeinfo.diaspora.software/ns/schema/2.1', href: `${ORIGIN}/nodeinfo/2.1` })
    const info = await json(await get('/nodeinfo/2.1'))
    expect(info).toMatchObject({ version: '2.1', software: { name: 'herald' }, protocols: ['activitypub'], openRegistrations: false })
    expect(info.usage.localPosts).toBeGreaterThan(0)
  })

  it('the actor has name, summary, icon, site link, inboxes, collections and an RSA public key', async () => {
    const res = await get('/ap/actors/news', { headers: AP })
    expect(res.headers.get('content-type')).toBe('application/activity+json; charset=utf-8')
    const actor = await json(res)
    expect(actor).toMatchObject({
      id: SITE_ACTOR, type: 'Organization', preferredUsername: 'news', name: 'Herald', url: `${ORIGIN}/`,
      inbox: `${SITE_ACTOR}/inbox`, outbox: `${SITE_ACTOR}/outbox`, followers: `${SITE_ACTOR}/followers`,
      endpoints: { sharedInbox: `${ORIGIN}/ap/inbox` }, icon: { type: 'Image', mediaType: 'image/png', url: `${ORIGIN}/icon.png` },
    })
    expect(actor.summary).toContain('News from the Herald newsroom.')
    expect(actor.publicKey.id).toBe(`${SITE_ACTOR}#main-key`)
    const der = Uint8Array.from(atob(actor.publicKey.publicKeyPem.replace(/-----[A-Z ]+-----|\s/g, '')), (c) => c.charCodeAt(0))
    const key = await crypto.subtle.importKey('spki', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, true, ['verify'])
    expect((key.algorithm as { modulusLength: number }).modulusLength).toBe(2048)
    // Generated once into D1: the same key every time.
    expect((await json(await get('/ap/actors/news-section'))).publicKey.publicKeyPem).toBe(actor.publicKey.publicKeyPem)
    expect((await get('/ap/actors/nobody')).status).toBe(404)
  })

  it('an article URL asked for as activity+json is the Article; as HTML it is the page, varying on Accept', async () => {
    const w = fediWorker(collection([old]))
    const res = await w.request('/articles/old-story', { headers: AP })
    expect(res.status).toBe(200)
    const a = await json(res)
    expect(a).toMatchObject({ id: `${ORIGIN}/articles/old-story`, type: 'Article', name: 'An old story', url: `${ORIGIN}/articles/old-story`, attributedTo: SITE_ACTOR, published: '2024-05-01T12:00:00.000Z' })
    expect(a.tag).toEqual([
      { type: 'Hashtag', name: '#Russia', href: `${ORIGIN}/tags/russia` },
      { type: 'Hashtag', name: '#CentralAsia', href: `${ORIGIN}/tags/central-asia` },
    ])
    expect(a.content).toContain('Paragraph of story')
    const ld = await w.request('/articles/old-story', { headers: { Accept: 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"' } })
    expect((await json(ld)).type).toBe('Article')
    const page = await w.request('/articles/old-story', { headers: { Accept: 'text/html' } })
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(page.headers.get('vary')).toContain('Accept')
    expect((await w.request('/articles/no-such', { headers: AP })).status).toBe(404)
  })

  it("an Article's summary is the dek as HTML, and its hashtags keep combining marks and need a letter, as Mastodon's do", async () => {
    const odd = article({ slug: 'odd-story', dek: 'AT&T <sigh> &amp; 5 > 3', tags: ['हिन्दी', '2024', 'Café'] })
    const a = await json(await fediWorker(collection([odd])).request('/articles/odd-story', { headers: AP }))
    // ActivityStreams' summary is HTML: the dek's "<sigh>" is text, and its "&amp;" the five characters typed.
    expect(a.summary).toBe('<p>AT&#38;T &#60;sigh&#62; &#38;amp; 5 &#62; 3</p>')
    // "#हनद" lost its vowel signs; "#2024" is no hashtag to Mastodon (its Tag::HASHTAG_NAME_RE needs a letter).
    expect(a.tag).toEqual([
      { type: 'Hashtag', name: '#हिन्दी', href: `${ORIGIN}/tags/${encodeURIComponent('हिन्दी')}` },
      { type: 'Hashtag', name: '#Café', href: `${ORIGIN}/tags/${encodeURIComponent('café')}` },
    ])
  })

  // What a client rates higher wins (RFC 9110 §12.5.1); HTML keeps a tie it named, a wildcard does not.
  it.each([
    ['application/activity+json', 'activity'],
    ['application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 'activity'],
    ['application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"', 'activity'],
    ['application/activity+json, */*', 'activity'],
    ['application/activity+json;q=0.9, text/html;q=0.5', 'activity'],
    ['text/html;q=1, application/activity+json;q=0.1', 'html'],
    ['application/activity+json;q=0.5, text/*', 'html'],
    ['text/html, application/activity+json', 'html'],
    ['application/activity+json;q=0', 'html'],
    ['application/ld+json', 'html'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'html'],
    ['*/*', 'html'],
  ])('an article asked for with Accept: %s gets %s', async (accept, wanted) => {
    const res = await fediWorker(collection([old])).request('/articles/old-story', { headers: { Accept: accept } })
    expect(res.status).toBe(200)
    expect(res.headers.get('vary')).toContain('Accept')
    const type = res.headers.get('content-type') ?? ''
    if (wanted === 'activity') expect((await json(res)).type).toBe('Article')
    else expect(type).toBe('text/html; charset=utf-8')
  })

  it('the outbox is a paged OrderedCollection of Creates; a scheduled story is not in it', async () => {
    const w = fediWorker(collection([old, article({ published: '2999-01-01T00:00:00Z', slug: 'future' })]))
    const outbox = await json(await w.request('/ap/actors/news/outbox', { headers: AP }))
    expect(outbox).toMatchObject({ type: 'OrderedCollection', totalItems: 1, first: `${SITE_ACTOR}/outbox?page=1` })
    const page = await json(await w.request('/ap/actors/news/outbox?page=1', { headers: AP }))
    expect(page.type).toBe('OrderedCollectionPage')
    expect(page.orderedItems.map((i: any) => [i.type, i.object.id])).toEqual([['Create', `${ORIGIN}/articles/old-story`]])
    expect((await w.request('/ap/actors/news/outbox?page=2')).status).toBe(404)
    // One URL per page: another spelling of 1 is refused, not served as a second copy of it.
    for (const spelling of ['1e0', '0x1', '01', '1.0', '0', '-1', '', 'one']) {
      const refused = await w.request(`/ap/actors/news/outbox?page=${spelling}`, { headers: AP })
      expect(refused.status, spelling).toBe(400)
      expect(await refused.text()).toContain('page must be a whole number from 1 to 1')
    }
    const twice = await w.request('/ap/actors/news/outbox?page=1&page=1', { headers: AP })
    expect(twice.status).toBe(400)
    expect(await twice.text()).toContain('"page" is given 2 times; give it once')
    const section = await json(await w.request('/ap/actors/news-section/outbox?page=1'))
    expect(section.orderedItems.map((i: any) => [i.type, i.object])).toEqual([['Announce', `${ORIGIN}/articles/old-story`]])
  })
})

describe('inbox refusals', () => {
  let alice: RemoteUser
  let mallory: RemoteUser
  beforeEach(async () => {
    alice = await remoteUser('alice')
    mallory = await remoteUser('mallory')
  })
  const follow = (who: RemoteUser) => ({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${who.id}#follow-1`, type: 'Follow', actor: who.id, object: SITE_ACTOR })

  it('every inbox refusal is never cached and never sniffed, as the other routes’ are: 404, 401, 400 and 422', async () => {
    remoteServer([alice])
    const w = fediWorker(collection([old]))
    const refusals: [string, RequestInit, number][] = [
      ['/ap/actors/nobody/inbox', { method: 'POST', body: '{}' }, 404],
      ['/ap/inbox', { method: 'POST', headers: { 'Content-Type': 'application/activity+json' }, body: JSON.stringify(follow(alice)) }, 401],
      // The reason quotes the key URL the sender chose.
      ['/ap/inbox', await signedPost('/ap/inbox', follow(alice), alice, { keyId: 'https://remote.example/<script>' }), 401],
      ['/ap/inbox', await signedPost('/ap/inbox', { ...follow(alice), actor: undefined }, alice), 400],
      ['/ap/inbox', await signedPost('/ap/inbox', { ...follow(alice), object: 'https://elsewhere.example/users/x' }, alice), 422],
    ]
    for (const [path, init, status] of refusals) {
      const res = await w.request(path, init)
      expect(res.status, `${path} ${status}`).toBe(status)
      expect(res.headers.get('cache-control'), `${status}`).toBe('no-store')
      expect(res.headers.get('x-content-type-options'), `${status}`).toBe('nosniff')
      expect(await res.text()).toMatch(/ \((400|401|404|422)\)\n$/)
    }
  })

  it('401s an unsigned POST', async () => {
    remoteServer([alice])
    const res = await get('/ap/inbox', { method: 'POST', headers: { 'Content-Type': 'application/activity+json' }, body: JSON.stringify(follow(alice)) })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toContain('Signature')
  })

  it.each([
    ['signed by another key than the actor document names', async () => ({ ...(await signedPost('/ap/inbox', follow(alice), mallory, { keyId: alice.keyId })) }), 'the signature does not verify'],
    ['a body changed after signing', async () => ({ ...(await signedPost('/ap/inbox', follow(alice), alice, { body: JSON.stringify({ ...follow(alice), id: 'x' }) })) }), 'the Digest does not match the body'],
    ['a Date 13 hours old', async () => signedPost('/ap/inbox', follow(alice), alice, { date: new Date(Date.now() - 13 * HOUR) }), 'the Date header is outside the accepted window'],
    // Mastodon's window: a signature expires 5 minutes after its Date, plus an hour of clock skew.
    ['a Date 66 minutes old', async () => signedPost('/ap/inbox', follow(alice), alice, { date: new Date(Date.now() - 66 * 60_000) }), 'the Date header is outside the accepted window'],
    ['a signature without the digest', async () => signedPost('/ap/inbox', follow(alice), alice, { headers: '(request-target) host date' }), 'the signature must cover digest'],
    ['an activity whose actor is not the signer', async () => signedPost('/ap/inbox', follow(alice), mallory), 'the activity is not signed by its actor'],
    ['a signature covering neither date nor (created)', async () => signedPost('/ap/inbox', follow(alice), alice, { headers: '(request-target) host digest' }), 'the signature must cover date or (created)'],
    ['a (created) 66 minutes old', async () => signedPost('/ap/inbox', follow(alice), alice, { ...CREATED, algorithm: 'hs2019', created: nowSeconds() - 66 * 60 }), 'the signature’s created is outside the accepted window'],
    ['an (expires) two hours past', async () => signedPost('/ap/inbox', follow(alice), alice, { ...CREATED, algorithm: 'hs2019', expires: nowSeconds() - 2 * 3600 }), 'the signature has expired'],
    ['(created) under rsa-sha256 (draft-cavage-12 §2.3)', async () => signedPost('/ap/inbox', follow(alice), alice, { ...CREATED }), '(created) and (expires) are signed only with algorithm hs2019, not rsa-sha256'],
    ['a created parameter changed after signing', async () => signedPost('/ap/inbox', follow(alice), alice, { ...CREATED, algorithm: 'hs2019', claimCreated: nowSeconds() - 60 }), 'the signature does not verify'],
  ])('401s %s', async (_, init, reason) => {
    remoteServer([alice, mallory])
    const res = await get('/ap/inbox', await init())
    expect(res.status).toBe(401)
    expect(await res.text()).toBe(`${reason} (401)\n`)
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM ap_followers').first<{ n: number }>())!.n).toBe(0)
  })

  it('accepts a Date an hour old (Mastodon’s clock-skew margin) or 50 minutes ahead', async () => {
    remoteServer([alice])
    const w = fediWorker(collection([old]))
    for (const offset of [-60 * 60_000, 50 * 60_000]) {
      expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', follow(alice), alice, { date: new Date(Date.now() + offset) }))).status, String(offset)).toBe(202)
    }
  })

  it('accepts a signature that covers (created) and (expires) in place of Date, with hs2019 or no algorithm named, as Mastodon does', async () => {
    remoteServer([alice])
    const w = fediWorker(collection([old]))
    for (const algorithm of ['hs2019', '']) {
      const init = await signedPost('/ap/inbox', follow(alice), alice, { ...CREATED, algorithm })
      if (!algorithm) init.headers.Signature = init.headers.Signature.replace('algorithm="",', '')
      expect((await w.request('/ap/inbox', init)).status, algorithm || 'no algorithm').toBe(202)
    }
    expect((await json(await w.request('/ap/actors/news/followers'))).totalItems).toBe(1)
  })

  it('413s an activity over 256 KiB before reading its signature', async () => {
    const { gets } = remoteServer([alice])
    const res = await get('/ap/inbox', await signedPost('/ap/inbox', { ...follow(alice), padding: 'x'.repeat(300 * 1024) }, alice))
    expect(res.status).toBe(413)
    expect(await res.text()).toBe('an activity must be at most 262144 bytes (413)\n')
    expect(gets).toEqual([])
  })

  it.each(['null', '"a string"', '[]'])('401s, not 500s, a key URL that answers the JSON %s', async (body) => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response(body, { headers: { 'Content-Type': 'application/activity+json' } }))
    const res = await get('/ap/inbox', await signedPost('/ap/inbox', follow(alice), alice))
    expect(res.status).toBe(401)
    expect(await res.text()).toBe(`the signing key could not be fetched: fetching ${alice.id}: not an actor with inbox and publicKey (401)\n`)
  })

  it('401s a key document that names another server’s actor as its id: it is not that actor’s key', async () => {
    // eve serves, on her own server, a copy of alice's actor document with her inbox and key in it.
    const eve = await remoteUser('eve')
    const forgedKey = 'https://evil.example/key'
    const { gets } = remoteServer([alice])
    const served = vi.mocked(globalThis.fetch).getMockImplementation()!
    vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
      const url = new Request(input, init).url
      if (url !== forgedKey) return served(input, init)
      return Response.json({ ...actorDoc(alice), inbox: 'https://evil.example/inbox', endpoints: { sharedInbox: 'https://evil.example/inbox' }, publicKey: { id: forgedKey, owner: alice.id, publicKeyPem: eve.publicPem } })
    })
    const w = fediWorker(collection([old]))
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', follow(alice), alice))).status).toBe(202)
    for (const activity of [{ ...follow(alice), id: `${alice.id}#forged` }, { id: `${alice.id}#delete`, type: 'Delete', actor: alice.id, object: alice.id }]) {
      const res = await w.request('/ap/inbox', await signedPost('/ap/inbox', activity, eve, { keyId: forgedKey }))
      expect(res.status, activity.type).toBe(401)
      expect(await res.text()).toBe('the key document does not carry the signing key (401)\n')
    }
    // alice's document was fetched from alice's server to check the claim.
    expect(gets.map((g) => g.url)).toContain(alice.id)
    expect((await env.DB.prepare('SELECT inbox, shared_inbox FROM ap_followers').all()).results).toEqual([{ inbox: alice.inbox, shared_inbox: `${REMOTE}/inbox` }])
  })

  it('401s when the key cannot be fetched under the outbound policy (a private address)', async () => {
    const { gets } = remoteServer([alice])
    const local = { ...alice, id: 'http://10.0.0.1/users/eve', keyId: 'http://10.0.0.1/users/eve#main-key' }
    const res = await get('/ap/inbox', await signedPost('/ap/inbox', follow(local), local))
    expect(res.status).toBe(401)
    expect(await res.text()).toContain('is a private address')
    expect(gets).toEqual([])
  })
})

describe('Follow, Accept, Undo', () => {
  it('a signed Follow is stored, counted, and answered with a signed Accept to the follower’s inbox; Undo removes it', async () => {
    const alice = await remoteUser('alice')
    const { received, gets } = remoteServer([alice])
    const w = fediWorker(collection([old]))
    const followActivity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${alice.id}#follow-1`, type: 'Follow', actor: alice.id, object: SITE_ACTOR }
    const res = await w.request('/ap/actors/news/inbox', await signedPost('/ap/actors/news/inbox', followActivity, alice))
    expect(res.status).toBe(202)
    // The key was fetched with a signed GET (servers in secure mode refuse unsigned ones).
    expect(gets[0]!.url).toBe(alice.id)
    expect(gets[0]!.headers.get('signature')).toContain(`keyId="${SITE_ACTOR}#main-key"`)
    expect((await json(await w.request('/ap/actors/news/followers'))).totalItems).toBe(1)

    expect(w.jobs).toEqual([expect.objectContaining({ kind: 'ap-deliver', actor: 'news', inbox: alice.inbox })])
    const result = await runApJobs(w.env, await w.herald(), w.jobs)
    expect(result.explicitAcks).toEqual(['m0'])
    expect(received).toHaveLength(1)
    expect(received[0]!.json).toMatchObject({ type: 'Accept', actor: SITE_ACTOR, object: { id: followActivity.id, type: 'Follow', actor: alice.id, object: SITE_ACTOR } })
    const actor = await json(await w.request('/ap/actors/news'))
    expect(await verifyDelivery(received[0]!, actor.publicKey.publicKeyPem)).toBe(true)
    expect(received[0]!.headers.get('signature')).toContain('headers="(request-target) host date digest content-type"')

    const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${alice.id}#undo-1`, type: 'Undo', actor: alice.id, object: followActivity }
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', undo, alice))).status).toBe(202)
    expect((await json(await w.request('/ap/actors/news/followers'))).totalItems).toBe(0)
  })

  it('a Follow and its Undo whose type is a list (ActivityStreams allows several) are read as a Follow and an Undo', async () => {
    const bea = await remoteUser('bea')
    remoteServer([bea])
    const w = fediWorker(collection([old]))
    const followActivity = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${bea.id}#follow-1`, type: ['Follow'], actor: bea.id, object: SITE_ACTOR }
    expect((await w.request('/ap/actors/news/inbox', await signedPost('/ap/actors/news/inbox', followActivity, bea))).status).toBe(202)
    expect((await json(await w.request('/ap/actors/news/followers'))).totalItems).toBe(1)
    expect(w.jobs).toEqual([expect.objectContaining({ kind: 'ap-deliver', actor: 'news', inbox: bea.inbox })])
    const undo = { '@context': 'https://www.w3.org/ns/activitystreams', id: `${bea.id}#undo-1`, type: ['Undo', 'https://example.org/ns#Extra'], actor: bea.id, object: followActivity }
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', undo, bea))).status).toBe(202)
    expect((await json(await w.request('/ap/actors/news/followers'))).totalItems).toBe(0)
  })

  it('fetches a signing key once for a burst of activities, and again when the remote key changed', async () => {
    const dora = await remoteUser('dora')
    const first = remoteServer([dora])
    const w = fediWorker(collection([old]))
    const followActivity = { id: `${dora.id}#follow`, type: 'Follow', actor: dora.id, object: SITE_ACTOR }
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', followActivity, dora))).status).toBe(202)
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${dora.id}#like`, type: 'Like', actor: dora.id, object: `${ORIGIN}/articles/old-story` }, dora))).status).toBe(202)
    expect(first.gets.map((g) => g.url)).toEqual([dora.id])
    // dora's server rotates her key: the cached one fails, a fresh fetch verifies.
    vi.restoreAllMocks()
    const rotated = { ...(await remoteUser('dora')) }
    const second = remoteServer([rotated])
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${dora.id}#undo`, type: 'Undo', actor: dora.id, object: followActivity }, rotated))).status).toBe(202)
    expect(second.gets.map((g) => g.url)).toEqual([dora.id])
    expect((await json(await w.request('/ap/actors/news/followers'))).totalItems).toBe(0)
    // An Undo that names the Follow by id only removes the signer's own follow, and nobody else's.
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', followActivity, rotated))).status).toBe(202)
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${dora.id}#undo2`, type: 'Undo', actor: dora.id, object: `${REMOTE}/users/someone#follow` }, rotated))).status).toBe(202)
    expect((await json(await w.request('/ap/actors/news/followers'))).totalItems).toBe(1)
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${dora.id}#undo3`, type: 'Undo', actor: dora.id, object: followActivity.id }, rotated))).status).toBe(202)
    expect((await json(await w.request('/ap/actors/news/followers'))).totalItems).toBe(0)
    // The old key no longer verifies once the new one is known.
    expect((await w.request('/ap/inbox', await signedPost('/ap/inbox', followActivity, dora))).status).toBe(401)
  })

  it('a Follow of no actor of this site is refused with 422; an actor Delete removes its follows, even once its key is gone', async () => {
    const bob = await remoteUser('bob')
    remoteServer([bob], { gone: [] })
    const w = fediWorker(collection([old]))
    const bad = await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${bob.id}#f`, type: 'Follow', actor: bob.id, object: 'https://elsewhere.example/users/x' }, bob))
    expect(bad.status).toBe(422)
    await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${bob.id}#f`, type: 'Follow', actor: bob.id, object: SECTION_ACTOR }, bob))
    expect((await json(await w.request('/ap/actors/news-section/followers'))).totalItems).toBe(1)
    vi.restoreAllMocks()
    remoteServer([], { gone: [bob.id] })
    const del = await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${bob.id}#delete`, type: 'Delete', actor: bob.id, object: bob.id }, bob))
    expect(del.status).toBe(202)
    expect((await json(await w.request('/ap/actors/news-section/followers'))).totalItems).toBe(0)
  })
  it('a Follow whose inbox Herald will not call is refused with 422 and not stored; a shared inbox it will not call is not used', async () => {
    // A 200 KB inbox: no queue message can carry it (128 KB), so every publish run would fail on it.
    const eve = await remoteUser('eve')
    const mallory = await remoteUser('mallory')
    const alice = await remoteUser('alice')
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
      const url = new Request(input, init).url
      if (url === eve.id) return Response.json({ ...actorDoc(eve), inbox: `${REMOTE}/${'a'.repeat(200_000)}`, endpoints: {} })
      if (url === mallory.id) return Response.json({ ...actorDoc(mallory), endpoints: { sharedInbox: 'http://10.0.0.1/inbox' } })
      if (url === alice.id) return Response.json(actorDoc(alice))
      return new Response(null, { status: 202 })
    })
    const w = fediWorker(collection([old]))
    const refused = await w.request('/ap/inbox', await signedPost('/ap/inbox', { id: `${eve.id}#f`, type: 'Follow', actor: eve.id, object: SITE_ACTOR }, eve))
    expect(refused.status).toBe(422)
    expect(await refused.text()).toBe('the follower’s inbox is not an address Herald calls: the remote address is longer than 2048 characters (422)\n')
    await follow(w, mallory, SITE_ACTOR)
    await follow(w, alice, SITE_ACTOR)
    expect((await env.DB.prepare('SELECT follower, inbox, shared_inbox FROM ap_followers ORDER BY follower').all()).results).toEqual([
      { follower: alice.id, inbox: alice.inbox, shared_inbox: `${REMOTE}/inbox` },
      { follower: mallory.id, inbox: mallory.inbox, shared_inbox: null },
    ])
    expect(w.jobs.map((j) => j.inbox)).toEqual([mallory.inbox, alice.inbox])
  })
})

describe('publishing to followers', () => {
  it('leaves out a stored follower whose inbox Herald will not call, and reaches the others', async () => {
    const alice = await remoteUser('alice')
    remoteServer([alice])
    const w = fediWorker(collection([old, scheduled]))
    const herald = await w.herald()
    await publishFediverse(w.env, herald, LIVE_AT - HOUR)
    await follow(w, alice, SITE_ACTOR)
    // Rows from before the Follow refused such inboxes: a private address, and one no queue message can carry.
    for (const [follower, inbox] of [['https://old.example/users/bob', 'http://10.0.0.1/inbox'], ['https://old.example/users/eve', `${REMOTE}/${'a'.repeat(200_000)}`]]) {
      await env.DB.prepare('INSERT INTO ap_followers (actor, follower, inbox, shared_inbox, follow_id, followed_at) VALUES (?1, ?2, ?3, NULL, ?4, 0)').bind('news', follower, inbox, `${follower}#f`).run()
    }
    w.jobs.length = 0
    expect(await publishFediverse(w.env, herald, LIVE_AT + 1)).toMatchObject({ created: [`${ORIGIN}/articles/scheduled-story`], deliveriesQueued: 1 })
    expect(w.jobs.map((j) => j.inbox)).toEqual([`${REMOTE}/inbox`])
  })


  it('a story going live is one Create per shared inbox and an Announce for section followers; a correction is one Update; nothing twice', async () => {
    const alice = await remoteUser('alice')
    const carol = await remoteUser('carol')
    const { received } = remoteServer([alice, carol])
    const w = fediWorker(collection([old, scheduled]))
    const herald = await w.herald()
    // The first run records the back catalogue: nothing is sent for it.
    expect(await publishFediverse(w.env, herald, LIVE_AT - HOUR)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })
    await follow(w, alice, SITE_ACTOR)
    await follow(w, carol, SITE_ACTOR)
    await follow(w, carol, SECTION_ACTOR)
    w.jobs.length = 0 // the Accepts

    expect(await publishFediverse(w.env, herald, LIVE_AT - 1)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })
    const live = await publishFediverse(w.env, herald, LIVE_AT + 1)
    expect(live).toEqual({ created: [`${ORIGIN}/articles/scheduled-story`], updated: [], deleted: [], deliveriesQueued: 2 })
    // alice and carol share one server: one Create to its shared inbox, one Announce from the section.
    expect(w.jobs.map((j) => [j.actor, j.inbox])).toEqual([['news', `${REMOTE}/inbox`], ['news-section', `${REMOTE}/inbox`]])
    expect(await publishFediverse(w.env, herald, LIVE_AT + 2)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })

    await runApJobs(w.env, herald, w.jobs)
    const [create, announce] = received.map((r) => r.json)
    expect(create).toMatchObject({ type: 'Create', actor: SITE_ACTOR, to: ['https://www.w3.org/ns/activitystreams#Public'], cc: [`${SITE_ACTOR}/followers`] })
    expect(create!.object).toMatchObject({ type: 'Article', id: `${ORIGIN}/articles/scheduled-story`, name: 'A scheduled story', summary: `<p>${scheduled.dek}</p>`, attributedTo: SITE_ACTOR })
    expect((create!.object as any).image).toMatchObject({ type: 'Image', url: 'https://img.example/a.jpg', name: 'People at a border post', mediaType: 'image/jpeg' })
    expect(announce).toMatchObject({ type: 'Announce', actor: SECTION_ACTOR, object: `${ORIGIN}/articles/scheduled-story` })
    const pem = (await json(await w.request('/ap/actors/news'))).publicKey.publicKeyPem
    for (const r of received) expect(await verifyDelivery(r, pem)).toBe(true)

    // The same jobs again (a redelivered message): acknowledged, not sent.
    const again = await runApJobs(w.env, herald, w.jobs)
    expect(again.explicitAcks).toHaveLength(2)
    expect(received).toHaveLength(2)

    // A correction, deployed: one Update to every server with a follower of either actor.
    const w2 = fediWorker(collection([old, corrected]))
    const herald2 = await w2.herald()
    expect(await publishFediverse(w2.env, herald2, LIVE_AT + 2 * 86_400_000)).toEqual({ created: [], updated: [`${ORIGIN}/articles/scheduled-story`], deleted: [], deliveriesQueued: 1 })
    await runApJobs(w2.env, herald2, w2.jobs)
    expect(received[2]!.json).toMatchObject({ type: 'Update', actor: SITE_ACTOR, object: { id: `${ORIGIN}/articles/scheduled-story`, name: 'A scheduled story (corrected)', updated: new Date(LIVE_AT + 86_400_000).toISOString() } })
    expect(await publishFediverse(w2.env, herald2, LIVE_AT + 3 * 86_400_000)).toEqual({ created: [], updated: [], deleted: [], deliveriesQueued: 0 })
  })

  it('the id of each activity sent answers GET with that activity; once the story is withdrawn, 410 with its Tombstone', async () => {
    const alice = await remoteUser('alice')
    const { received } = remoteServer([alice])
    // Times on the real clock: the routes answer for Date.now().
    const now = Math.floor(Date.now() / 1000) * 1000
    const builtAt = new Date(now - HOUR)
    const fresh = article({ id: 'tag:test.example,2024:fresh', slug: 'fresh-story', headline: 'A fresh story', published: iso(now - 10 * 60_000) })
    const fixed: Article = { ...fresh, headline: 'A fresh story (corrected)', updated: iso(now - 5 * 60_000) }
    const gone: Article = { ...fixed, withdrawn: { at: iso(now - 60_000), reason: 'Published in error.' } }
    const deref = async (w: ReturnType<typeof fediWorker>, id: string) => w.request(id.slice(ORIGIN.length), { headers: AP })

    const w1 = fediWorker(collection([old, fresh, scheduled]), builtAt)
    await publishFediverse(w1.env, await w1.herald(), now - 30 * 60_000)
    await follow(w1, alice, SITE_ACTOR)
    await follow(w1, alice, SECTION_ACTOR)
    w1.jobs.length = 0
    expect((await publishFediverse(w1.env, await w1.herald(), now)).created).toEqual([`${ORIGIN}/articles/fresh-story`])
    await runApJobs(w1.env, await w1.herald(), w1.jobs)
    const [create, announce] = received.map((r) => r.json)
    expect([create!.type, announce!.type]).toEqual(['Create', 'Announce'])
    for (const sent of [create!, announce!]) {
      const res = await deref(w1, sent.id as string)
      expect(res.status, sent.type as string).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/activity+json; charset=utf-8')
      expect(await json(res)).toEqual(sent)
    }
    const createId = create!.id as string
    const anchor = createId.split('create-')[1]!
    // Not the other actor's, not a type it never sent, no Update before a correction, no story not yet out.
    for (const path of [`/ap/actors/news-section/activities/create-${anchor}`, `/ap/actors/news/activities/announce-${anchor}`, `/ap/actors/news/activities/delete-${anchor}`,
      `/ap/actors/news/activities/update-${anchor}`, `/ap/actors/news/activities/update-${anchor}-${Date.parse(fresh.published)}`, `/ap/actors/news/activities/like-${anchor}`,
      `/ap/actors/news/activities/create-${anchor}-1`, `/ap/actors/news/activities/create-00000000000000`, `/ap/actors/nobody/activities/create-${anchor}`,
      `/ap/actors/news/activities/create-${anchorOf(scheduled.id)}`]) {
      expect((await w1.request(path, { headers: AP })).status, path).toBe(404)
    }

    const w2 = fediWorker(collection([old, fixed, scheduled]), builtAt)
    expect((await publishFediverse(w2.env, await w2.herald(), now)).updated).toEqual([`${ORIGIN}/articles/fresh-story`])
    await runApJobs(w2.env, await w2.herald(), w2.jobs)
    const update = received.at(-1)!.json
    expect(update.type).toBe('Update')
    expect(await json(await deref(w2, update.id as string))).toEqual(update)
    // The Create is of the story as it is now.
    expect((await json(await deref(w2, createId))).object).toMatchObject({ name: 'A fresh story (corrected)' })
    const superseded = await w2.request(`/ap/actors/news/activities/update-${anchor}-${Date.parse(fixed.updated!) - 1000}`, { headers: AP })
    expect(superseded.status).toBe(404)
    expect(await superseded.text()).toBe(`this Update was superseded by ${update.id} (404)\n`)

    const w3 = fediWorker(collection([old, gone, scheduled]), builtAt)
    expect((await publishFediverse(w3.env, await w3.herald(), now)).deleted).toEqual([`${ORIGIN}/articles/fresh-story`])
    await runApJobs(w3.env, await w3.herald(), w3.jobs)
    const del = received.at(-1)!.json
    expect(del.type).toBe('Delete')
    expect(await json(await deref(w3, del.id as string))).toEqual(del)
    for (const id of [createId, update.id as string, announce!.id as string]) {
      const res = await deref(w3, id)
      expect(res.status, id).toBe(410)
      expect(res.headers.get('content-type')).toBe('application/activity+json; charset=utf-8')
      expect(await json(res)).toMatchObject({ id: `${ORIGIN}/articles/fresh-story`, type: 'Tombstone', formerType: 'Article' })
    }
  })

  it('a failed delivery is retried with growing delays, a 4xx refusal and a 410 are settled at once, the dead-letter queue records the rest', async () => {
    const alice = await remoteUser('alice')
    let status = 503
    const { received } = remoteServer([alice], { inboxStatus: () => status })
    const w = fediWorker(collection([old, scheduled]))
    const herald = await w.herald()
    await publishFediverse(w.env, herald, LIVE_AT - HOUR)
    await follow(w, alice, SITE_ACTOR)
    w.jobs.length = 0
    await publishFediverse(w.env, herald, LIVE_AT + 1)
    expect(w.jobs).toHaveLength(1)

    const first = await runApJobs(w.env, herald, w.jobs, { attempts: 1 })
    expect(first.retryMessages).toEqual([{ msgId: 'm0' }])
    expect(first.delays.m0).toBe(2)
    const third = await runApJobs(w.env, herald, w.jobs, { attempts: 3 })
    expect(third.delays.m0).toBe(8)
    expect(received).toHaveLength(2)
    // Retries exhausted: the dead-letter consumer records it, with nothing sent.
    const dead = await runApJobs(w.env, herald, w.jobs, { queue: 'herald-ap-dead', attempts: 1 })
    expect(dead.explicitAcks).toEqual(['m0'])
    expect(await deliveries(w.env)).toEqual([expect.objectContaining({ inbox: `${REMOTE}/inbox`, outcome: 'dead', detail: 'retries exhausted' })])
    expect(received).toHaveLength(2)
    // Dead is settled: a late retry sends nothing.
    status = 202
    await runApJobs(w.env, herald, w.jobs, { attempts: 4 })
    expect(received).toHaveLength(2)

    await env.DB.exec('DELETE FROM ap_deliveries')
    status = 403
    expect((await runApJobs(w.env, herald, w.jobs)).explicitAcks).toEqual(['m0'])
    expect((await deliveries(w.env))[0]).toMatchObject({ outcome: 'dead', detail: 'refused: HTTP 403' })
    await env.DB.exec('DELETE FROM ap_deliveries')
    status = 410
    expect((await runApJobs(w.env, herald, w.jobs)).explicitAcks).toEqual(['m0'])
    expect((await deliveries(w.env))[0]).toMatchObject({ outcome: 'gone' })
  })

  it('a 401 is retried, as Mastodon retries it: the receiver may not have fetched our key yet', async () => {
    const alice = await remoteUser('alice')
    let status = 401
    const { received } = remoteServer([alice], { inboxStatus: () => status })
    const w = fediWorker(collection([old]))
    const herald = await w.herald()
    await follow(w, alice, SITE_ACTOR)
    const first = await runApJobs(w.env, herald, w.jobs)
    expect(first.retryMessages).toEqual([{ msgId: 'm0' }])
    expect(await deliveries(w.env)).toEqual([])
    status = 202
    expect((await runApJobs(w.env, herald, w.jobs, { attempts: 2 })).explicitAcks).toEqual(['m0'])
    expect((await deliveries(w.env))[0]).toMatchObject({ outcome: 'delivered', attempts: 2 })
    expect(received).toHaveLength(2)
  })

  it('a delivery to an inbox the outbound policy refuses is never fetched, and recorded as dead', async () => {
    const w = fediWorker(collection([old]))
    const herald = await w.herald()
    const calls = remoteServer([])
    await env.DB.prepare("INSERT INTO ap_activities (id, actor, type, body, created_at) VALUES ('a1', 'news', 'Create', '{}', 0)").run()
    const r = await runApJobs(w.env, herald, [{ kind: 'ap-deliver', activityId: 'a1', actor: 'news', inbox: 'http://169.254.169.254/inbox' }])
    expect(r.explicitAcks).toEqual(['m0'])
    expect(calls.received).toEqual([])
    expect((await deliveries(w.env))[0]).toMatchObject({ outcome: 'dead', detail: expect.stringContaining('is a linkLocal address') })
  })
})
