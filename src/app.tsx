/**
 * @module
 * The Hono app: routes only. Everything a route needs was opened once per isolate (src/herald.ts);
 * a request looks up a listing or story and sends its memoised representation.
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
// LinearRouter first (hono/quick): registering routes costs a new isolate's first request almost
// nothing, where RegExpRouter compiles every route into one expression on the first match.
import { Hono } from 'hono/quick'
import type { Herald, HeraldSource } from './herald'
import { feedAliases } from './http/aliases'
import { devReloadApp, isDevReload, type DevReloadVars } from './http/dev-reload'
import { FEED_PREFLIGHT, methodNotAllowed } from './http/errors'
import { HTML_SECURITY_HEADERS } from './http/security'
import { ICON_SVG } from './pages/icon'
import { iconPng } from './pages/icon-png'
import { NotFoundPage } from './pages/views'
import { sendFeed } from './routes/feeds'
import { articlePage, indexPage, listingPage, opml } from './routes/pages'
import { ARTICLES_PATH, FEEDS_PATH, FORMAT_NAMES, FORMATS, HUB_PATH, ICON_PATH, ICON_PNG_PATH, indexPath, LISTING_KINDS, OPML_PATH, type PrefixedKind } from './site-map'
import { wantsActivity } from './fediverse/negotiate'
import { adminAuth, adminPublish } from './websub/admin'
import { hubBodyLimit, hubInfo, hubRequest } from './websub/hub'

export interface AppEnv {
  Bindings: Env & DevReloadVars
  Variables: { herald: Herald }
}

const FEED_FILE = `:file{(?:${FORMAT_NAMES.map((f) => FORMATS[f].file.replaceAll('.', '\\.')).join('|')})}`

/** The app over a Herald source: the deployed archive, or (tests) one compiled from other content. */
export function createApp(herald: HeraldSource) {
  const app = new Hono<AppEnv>()

  app.use(async (c, next) => {
    c.set('herald', await herald(c.env))
    await next()
  })
  app.use(feedAliases())

  /** Registers a GET route (HEAD follows it) and answers every other method with 405. */
  const route = (path: string, handler: (c: Context<AppEnv>) => Response | Promise<Response>, preflight?: Record<string, string>) => {
    if (preflight) app.use(path, readableRefusals)
    app.get(path, handler)
    app.all(path, methodNotAllowed(undefined, preflight))
  }
  const param = (c: Context<AppEnv>, name: string) => c.req.param(name) ?? ''

  route('/', (c) => listingPage(c, c.var.herald.archive.home))
  route(`/${FEED_FILE}`, (c) => sendFeed(c, c.var.herald.archive.home, param(c, 'file')), FEED_PREFLIGHT)
  route(`${ARTICLES_PATH}/:slug`, (c) => {
    // The same URL as an ActivityStreams Article (src/fediverse/), so Mastodon's search finds it.
    if (wantsActivity(c.req.header('accept'))) return fediverse(c)
    return articlePage(c, param(c, 'slug'))
  })

  for (const kind of Object.keys(LISTING_KINDS) as PrefixedKind[]) {
    const { segment } = LISTING_KINDS[kind]
    route(indexPath(kind), (c) => indexPage(c, segment))
    route(`${indexPath(kind)}/:key`, (c) => listingPage(c, c.var.herald.archive[segment].get(param(c, 'key'))))
    route(`${indexPath(kind)}/:key/${FEED_FILE}`, (c) => sendFeed(c, c.var.herald.archive[segment].get(param(c, 'key')), param(c, 'file')), FEED_PREFLIGHT)
  }
  route(FEEDS_PATH, (c) => indexPage(c, 'feeds'))
  route(OPML_PATH, (c) => opml(c))
  route(ICON_PATH, (c) =>
    c.body(ICON_SVG, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': 'public, max-age=86400' }),
  )
  route(ICON_PNG_PATH, async (c) => c.body(await iconPng(), 200, { 'Content-Type': 'image/png', 'Cache-Control': 'public, max-age=86400' }))

  // WebSub (src/websub/): subscriptions, and publishing on demand.
  app.get(HUB_PATH, hubInfo)
  app.post(HUB_PATH, hubBodyLimit, hubRequest)
  app.all(HUB_PATH, methodNotAllowed(['GET', 'HEAD', 'POST', 'OPTIONS']))
  app.post('/admin/publish', adminAuth, adminPublish)
  app.all('/admin/publish', methodNotAllowed(['POST', 'OPTIONS']))

  // ActivityPub (src/fediverse/): loaded on first use, so feed and page requests never compile it.
  for (const path of ['/.well-known/webfinger', '/.well-known/nodeinfo', '/nodeinfo/*', '/ap/*']) app.all(path, fediverse)

  app.notFound(notFound)
  // The one way out for every refusal and failure: HTTPExceptions carry their own answer (a
  // one-line plain-text reason; 503 naming the archive file and what to run); a bare 404 is the
  // site's 404 page; anything else is logged and hidden, nothing about the request echoed back.
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      if (err.status === 404 && !err.res) return notFound(c)
      if (err.status >= 500) console.error(`herald: ${err.status}: ${err.message}`)
      return err.getResponse()
    }
    console.error('herald: unhandled error', err)
    return c.text('Internal Server Error (500)\n', 500)
  })

  // A feed already sent from the memo is answered before routing (src/http/fast-lane.ts).
  // `app.request` (the tests) goes through `app.fetch` too, so every test exercises the lane.
  const routed = app.fetch
  // `npm run dev`'s reload (src/http/dev-reload.ts), before the archive is opened: its one job is to drop it.
  const dev = devReloadApp(herald.forget)
  app.fetch = (request, env, ctx) =>
    isDevReload(request, env) ? dev.fetch(request, env, ctx) : (herald.opened(env)?.fast.answer(request, Date.now()) ?? routed(request, env, ctx))
  return app
}

/**
 * A route that browser apps may read (feeds, with CORS) lets them read its refusals too: without
 * Access-Control-Allow-Origin a 400 naming the bad `?before=`, a 404 or a 405 reaches the app as a
 * bare network error, and the reason is lost.
 */
async function readableRefusals(c: Context<AppEnv>, next: () => Promise<void>): Promise<void> {
  await next()
  if (c.res.status >= 400 && !c.res.headers.has('access-control-allow-origin')) c.res.headers.set('Access-Control-Allow-Origin', '*')
}

/** Hands a request to the fediverse routes, imported on first use. */
async function fediverse(c: Context<AppEnv>): Promise<Response> {
  const { handleFediverse } = await import('./fediverse/routes')
  return handleFediverse(c)
}

/** The 404 page; HEAD gets the same headers (Hono runs HEAD as GET and drops the body). */
function notFound(c: Context<AppEnv>): Response {
  const herald = c.get('herald')
  if (!herald) return c.text('Not found (404)\n', 404)
  return c.html(`<!doctype html>${String(<NotFoundPage archive={herald.archive} />)}`, 404, { ...HTML_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }) as Response
}
