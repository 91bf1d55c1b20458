/**
 * @module
 * The fediverse's HTTP surface, loaded by `import()` from src/app.tsx only for these routes (a
 * feed or page request never compiles it): WebFinger (RFC 7033), NodeInfo 2.1, actors, their
 * outboxes and followers collections, the inboxes, and an article as ActivityStreams.
 */
import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { methodNotAllowed, refusal } from '../http/errors'
import { ARTICLES_PATH } from '../site-map'
import type { AppEnv } from '../app'
import type { Listing } from '../archive/archive'
import { isWithdrawn, visibleAt } from '../archive/withdrawals'
import { actorByHandle, actorDocument, actorId, AP_TYPE, articleObject, followersId, outboxId, PUBLIC, withContext, type LocalActor } from './actors'
import { inbox, MAX_INBOX_BYTES } from './inbox'
import { keyPair } from './keys'
import { activityId, announceActivity, storyActivity } from './publish'
import { followerCount } from './store'
import { deleteActivity, tombstone } from './withdraw'

export const OUTBOX_PAGE_SIZE = 20
const AP_HEADERS = { 'Content-Type': `${AP_TYPE}; charset=utf-8`, 'Cache-Control': 'public, max-age=60', Vary: 'Accept' }
const NODEINFO_PROFILE = 'http://nodeinfo.diaspora.software/ns/schema/2.1'

const ap = (c: Context<AppEnv>, body: unknown, status: 200 | 404 | 410 = 200) => c.body(JSON.stringify(body), status, AP_HEADERS)
const notFound = (c: Context<AppEnv>, what: string, headers: Record<string, string> = {}) =>
  c.text(`${what} (404)\n`, 404, { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...headers })

function actorOf(c: Context<AppEnv>): LocalActor | undefined {
  return actorByHandle(c.var.herald.archive, c.req.param('handle') ?? '')
}

/** Published stories of a listing at `now`, the withdrawn ones left out. */
function publishedCount(listing: Listing, now: number): number {
  return visibleAt(listing, now).count - listing.scheduledCount(now)
}

const heralds = new WeakMap<Request, AppEnv['Variables']['herald']>()
const fediverseApp = new Hono<AppEnv>()
fediverseApp.use(async (c, next) => {
  c.set('herald', heralds.get(c.req.raw)!)
  await next()
})

/** A GET route (HEAD follows it); any other method gets 405 with Allow (RFC 9110 §15.5.6), OPTIONS 204 with it. */
function read(path: string, handler: (c: Context<AppEnv>) => Response | Promise<Response>): void {
  fediverseApp.get(path, handler)
  fediverseApp.all(path, methodNotAllowed())
}

/** Answers a request the app routed here, with the Herald the app opened for it. */
export function handleFediverse(c: Context<AppEnv>): Response | Promise<Response> {
  heralds.set(c.req.raw, c.var.herald)
  let ctx: Context<AppEnv>['executionCtx'] | undefined
  try {
    ctx = c.executionCtx
  } catch {
    ctx = undefined // app.request() in tests has none
  }
  return fediverseApp.fetch(c.req.raw, c.env, ctx)
}

read('/.well-known/webfinger', (c) => {
  const resource = c.req.query('resource')
  // RFC 7033 §5: WebFinger answers carry CORS, refusals included.
  const cors = { 'Access-Control-Allow-Origin': '*' }
  if (!resource) throw refusal(400, 'the resource parameter is required', cors)
  // §4.2: a resource that is not a URI (an `acct:` without user or host) is a malformed request.
  if (/^acct:/i.test(resource) && !/^acct:[^@]+@[^@]+$/i.test(resource)) throw refusal(400, 'an acct: resource is acct:user@host', cors)
  const { archive } = c.var.herald
  const host = new URL(archive.origin).host
  let handle: string | undefined
  const acct = /^acct:([^@]+)@(.+)$/i.exec(resource)
  if (acct) handle = acct[2]!.toLowerCase() === host ? acct[1]!.toLowerCase() : undefined
  else if (resource.startsWith(archive.link('/ap/actors/').url)) handle = resource.slice(archive.link('/ap/actors/').url.length)
  const actor = handle === undefined ? undefined : actorByHandle(archive, handle)
  // The resource is not repeated back: it is the client's text, of any length.
  if (!actor) return notFound(c, 'no such account here', cors)
  const id = actorId(archive, actor.handle)
  return c.body(
    JSON.stringify({
      subject: `acct:${actor.handle}@${host}`,
      aliases: [id, actor.listing.url],
      links: [
        { rel: 'self', type: AP_TYPE, href: id },
        { rel: 'http://webfinger.net/rel/profile-page', type: 'text/html', href: actor.listing.url },
      ],
    }),
    200,
    { 'Content-Type': 'application/jrd+json; charset=utf-8', 'Access-Control-Allow-Origin': '*', 'Cache-Control': 'public, max-age=3600' },
  )
})

read('/.well-known/nodeinfo', (c) =>
  c.json({ links: [{ rel: NODEINFO_PROFILE, href: c.var.herald.archive.link('/nodeinfo/2.1').url }] }, 200, { 'Access-Control-Allow-Origin': '*' }),
)

read('/nodeinfo/2.1', (c) => {
  const { archive } = c.var.herald
  return c.body(
    JSON.stringify({
      version: '2.1',
      software: { name: 'herald', version: '0.1.0', homepage: archive.link('/').url },
      protocols: ['activitypub'],
      services: { inbound: [], outbound: ['atom1.0', 'rss2.0'] },
      openRegistrations: false,
      usage: { users: { total: 1 + archive.sections.size }, localPosts: publishedCount(archive.home, Date.now()) },
      metadata: { nodeName: archive.site.title, nodeDescription: archive.site.description },
    }),
    200,
    { 'Content-Type': `application/json; profile="${NODEINFO_PROFILE}#"`, 'Access-Control-Allow-Origin': '*' },
  )
})

read('/ap/actors/:handle', async (c) => {
  const actor = actorOf(c)
  if (!actor) return notFound(c, 'no such actor')
  const { publicPem } = await keyPair(c.env)
  return ap(c, actorDocument(c.var.herald.archive, actor, publicPem))
})

read('/ap/actors/:handle/followers', async (c) => {
  const actor = actorOf(c)
  if (!actor) return notFound(c, 'no such actor')
  // The count only: who follows a newsroom is the followers' business.
  return ap(c, withContext({ id: followersId(c.var.herald.archive, actor.handle), type: 'OrderedCollection', totalItems: await followerCount(c.env, actor.handle) }))
})

read('/ap/actors/:handle/outbox', async (c) => {
  const actor = actorOf(c)
  if (!actor) return notFound(c, 'no such actor')
  const { archive } = c.var.herald
  const now = Date.now()
  const listing = visibleAt(actor.listing, now)
  const total = publishedCount(actor.listing, now)
  const id = outboxId(archive, actor.handle)
  const last = Math.max(1, Math.ceil(total / OUTBOX_PAGE_SIZE))
  const pages = c.req.queries('page') ?? []
  if (pages.length > 1) throw refusal(400, `"page" is given ${pages.length} times; give it once`)
  const pageParam = pages[0]
  if (pageParam === undefined) {
    return ap(c, withContext({ id, type: 'OrderedCollection', totalItems: total, first: `${id}?page=1`, last: `${id}?page=${last}` }))
  }
  // Digits only: `1e0`, `0x1` or `01` would name page 1 at a second URL, which caches and servers keep apart.
  if (!/^[1-9][0-9]{0,8}$/.test(pageParam)) throw refusal(400, `page must be a whole number from 1 to ${last}, in plain digits`)
  const page = Number(pageParam)
  if (page > last) return notFound(c, 'no such outbox page')
  const from = listing.scheduledCount(now) + (page - 1) * OUTBOX_PAGE_SIZE
  const stories = await listing.slice(from, Math.min(listing.count, from + OUTBOX_PAGE_SIZE))
  const actorUrl = actorId(archive, actor.handle)
  const site = actor.kind === 'site'
  const items = stories.map((story) => ({
    id: activityId(archive, actor.handle, site ? 'Create' : 'Announce', story),
    type: site ? 'Create' : 'Announce',
    actor: actorUrl,
    published: story.published.toISOString(),
    to: [PUBLIC],
    cc: [followersId(archive, actor.handle)],
    object: site ? articleObject(archive, story) : story.url,
  }))
  return ap(c, withContext({
    id: `${id}?page=${page}`,
    type: 'OrderedCollectionPage',
    partOf: id,
    totalItems: total,
    orderedItems: items,
    ...(page > 1 && { prev: `${id}?page=${page - 1}` }),
    ...(page < last && { next: `${id}?page=${page + 1}` }),
  }))
})

/** An activity's last path segment as src/fediverse/publish.ts activityId() mints it. */
const ACTIVITY_NAME = /^(create|announce|update|delete)-([0-9a-z]{14})(?:-([1-9][0-9]{0,15}))?$/

/**
 * The activities the actors sent, at their ids (ActivityPub §3.1: ids SHOULD be dereferenceable),
 * rebuilt from the archive, as the outbox is: nothing is read from D1. A Create or Announce is of
 * the story as it is now (after a correction, the Article in it is the corrected one, as the
 * article URL serves it); an Update is served while it is the story's latest, and a Delete once
 * the withdrawal is in effect.
 *
 * Once a story is withdrawn, its Create, Announce and Updates answer 410 Gone with the story's
 * Tombstone, as its article URL does: the content is gone for good (RFC 9110 §15.5.11), and a
 * server that dereferences the activity gets the same answer as for its object. An id no story or
 * actor ever had, a story not yet published, or an Update a later one replaced, is 404.
 */
read('/ap/actors/:handle/activities/:name', async (c) => {
  const actor = actorOf(c)
  if (!actor) return notFound(c, 'no such actor')
  const { archive } = c.var.herald
  const m = ACTIVITY_NAME.exec(c.req.param('name') ?? '')
  const kind = m?.[1]
  // Which actor sends which activity: the site Create, Update and Delete, a section Announce; only Update ids carry a version.
  if (!m || (kind === 'announce') !== (actor.kind === 'section') || (kind === 'update') !== (m[3] !== undefined)) return notFound(c, 'no such activity')
  const now = Date.now()
  const position = await actor.listing.positionOf(m[2]!)
  const [story] = position === undefined ? [] : await actor.listing.slice(position, position + 1)
  if (!story || story.published.getTime() > now) return notFound(c, 'no such activity')
  const withdrawn = isWithdrawn(story, now)
  if (kind === 'delete') return withdrawn ? ap(c, withContext(deleteActivity(archive, story))) : notFound(c, 'no such activity: the story is not withdrawn')
  if (kind === 'update') {
    const version = Number(m[3])
    // No Update is sent for a story never corrected; one for an earlier correction is no longer what it was.
    if (story.updated.getTime() === story.published.getTime() || version > story.updated.getTime()) return notFound(c, 'no such activity')
    if (version < story.updated.getTime()) return notFound(c, `this Update was superseded by ${activityId(archive, actor.handle, 'Update', story)}`)
  }
  if (withdrawn) return ap(c, withContext(tombstone(story)), 410)
  if (kind === 'announce') return ap(c, withContext(announceActivity(archive, actor.handle, story)))
  return ap(c, withContext(storyActivity(archive, kind === 'update' ? 'Update' : 'Create', story)))
})

/** Refuses a body over the inbox limit as it streams in, with or without a Content-Length. */
const inboxLimit = bodyLimit({
  maxSize: MAX_INBOX_BYTES,
  onError: () => {
    throw refusal(413, `an activity must be at most ${MAX_INBOX_BYTES} bytes`)
  },
})
for (const path of ['/ap/inbox', '/ap/actors/:handle/inbox']) {
  fediverseApp.post(path, inboxLimit, inbox)
  fediverseApp.all(path, methodNotAllowed(['POST', 'OPTIONS']))
}

fediverseApp.get(`${ARTICLES_PATH}/:slug`, async (c) => {
  const { archive } = c.var.herald
  const now = Date.now()
  const story = await archive.story(c.req.param('slug'), now)
  if (!story) return notFound(c, 'no such article')
  // The object is gone for good: what Mastodon fetches to check a Delete it was sent.
  if (isWithdrawn(story, now)) return ap(c, withContext(tombstone(story)), 410)
  return ap(c, withContext(articleObject(archive, story)))
})

fediverseApp.all('*', (c) => notFound(c, 'not found'))
