/**
 * @module
 * The Hono app: routes only. Everything a route needs was built once per isolate (src/herald.ts);
 * a request looks up a listing or story and sends it.
 */
import { Hono, type Context } from 'hono'
import type { Content } from './content/article'
import type { Listing } from './content/collection'
import { heraldFor, type Herald } from './herald'
import { methodNotAllowed } from './http/errors'
import { ICON_SVG } from './pages/icon'
import { ArticlePage, IndexPage, ListingPage, NotFoundPage } from './pages/views'
import { sendFeed } from './routes/feeds'

export interface AppEnv {
  Bindings: Env
  Variables: { herald: Herald }
}

const FEED_FILE = ':file{(?:feed\\.xml|atom\\.xml|feed\\.json)}'
const HTML_HEADERS = { 'Content-Type': 'text/html; charset=utf-8', 'X-Content-Type-Options': 'nosniff' }

export function createApp(content: Content) {
  const herald = heraldFor(content)
  const app = new Hono<AppEnv>()

  app.use(async (c, next) => {
    c.set('herald', herald(c.env))
    await next()
  })

  /** Registers a GET route (HEAD follows it) and answers every other method with 405. */
  const route = (path: string, handler: (c: Context<AppEnv>) => Response | Promise<Response | undefined> | undefined) => {
    app.get(path, async (c) => (await handler(c)) ?? notFound(c))
    app.all(path, methodNotAllowed)
  }

  const page = (c: Context<AppEnv>, listing: Listing | undefined) =>
    listing && c.html(<ListingPage collection={c.var.herald.collection} listing={listing} />, 200, HTML_HEADERS)

  route('/', (c) => page(c, c.var.herald.collection.home))
  route(`/${FEED_FILE}`, (c) => sendFeed(c, c.var.herald.collection.home, c.req.param('file') ?? ''))

  route('/articles/:slug', (c) => {
    const { collection } = c.var.herald
    const story = collection.story(c.req.param('slug') ?? '')
    return story && c.html(<ArticlePage collection={collection} story={story} />, 200, HTML_HEADERS)
  })

  const listings = [
    { path: 'sections', title: 'Sections', of: (h: Herald) => h.collection.sections },
    { path: 'tags', title: 'Tags', of: (h: Herald) => h.collection.tags },
    { path: 'authors', title: 'Authors', of: (h: Herald) => h.collection.authors },
  ]
  for (const { path, title, of } of listings) {
    route(`/${path}`, (c) => {
      const all = [...of(c.var.herald).values()].sort((a, b) => a.name.localeCompare(b.name))
      return c.html(<IndexPage collection={c.var.herald.collection} title={title} path={`/${path}`} listings={all} />, 200, HTML_HEADERS)
    })
    route(`/${path}/:key`, (c) => page(c, of(c.var.herald).get(c.req.param('key') ?? '')))
    route(`/${path}/:key/${FEED_FILE}`, (c) => sendFeed(c, of(c.var.herald).get(c.req.param('key') ?? ''), c.req.param('file') ?? ''))
  }

  route('/feeds', (c) => {
    const { collection } = c.var.herald
    const all = [collection.home, ...collection.sections.values(), ...collection.tags.values(), ...collection.authors.values()]
    return c.html(<IndexPage collection={collection} title="Feeds" path="/feeds" listings={all} />, 200, HTML_HEADERS)
  })

  route('/icon.svg', (c) =>
    c.body(ICON_SVG, 200, { 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': 'public, max-age=86400' }),
  )

  app.notFound(notFound)
  app.onError((err, c) => {
    // Unknown failures are logged and hidden; nothing about the request is echoed back.
    console.error('herald: unhandled error', err)
    return c.text('Internal Server Error (500)\n', 500)
  })
  return app
}

function notFound(c: Context<AppEnv>): Response {
  const herald = c.get('herald')
  if (!herald || c.req.method !== 'GET') return c.text('Not found (404)\n', 404)
  return c.html(<NotFoundPage collection={herald.collection} path="/" />, 404, HTML_HEADERS) as Response
}
