/**
 * @module
 * The page frame: head with feed autodiscovery (RSS, Atom and JSON Feed for the page's own listing
 * and for the whole site), header, footer.
 */
import type { Child } from 'hono/jsx'
import { raw } from 'hono/html'
import type { Archive } from '../archive/archive'
import type { Link } from '../content/story'
import { FEEDS_PATH, feedPath, FORMAT_NAMES, FORMATS, ICON_PATH } from '../site-map'
import { STYLES } from './styles'

export function feedLinks(listing: { path: string; title: string }) {
  return FORMAT_NAMES.map((format) => ({
    format,
    type: FORMATS[format].type,
    label: FORMATS[format].label,
    title: `${listing.title} (${FORMATS[format].label})`,
    path: feedPath(listing, format),
  }))
}

export interface LayoutProps {
  archive: Archive
  title: string
  description: string
  /** The page's canonical URL; left out on error pages. */
  canonical?: Link
  /** The listing whose feeds this page advertises first (the home page's by default). */
  feedsOf?: { path: string; title: string }
  children?: Child
}

export function Layout({ archive, title, description, canonical, feedsOf, children }: LayoutProps) {
  const { site, home } = archive
  const own = feedsOf && feedsOf.path !== '/' ? feedLinks(feedsOf) : []
  const siteFeeds = feedLinks({ path: '/', title: site.title })
  return (
    <html lang={site.language}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        <meta name="description" content={description} />
        {canonical && <link rel="canonical" href={canonical.url} />}
        <link rel="icon" href={archive.link(ICON_PATH).url} type="image/svg+xml" />
        {[...own, ...siteFeeds].map((f) => (
          <link rel="alternate" type={f.type} title={f.title} href={archive.link(f.path).url} />
        ))}
        <style>{raw(STYLES)}</style>
      </head>
      <body>
        <div class="wrap">
          <header class="site">
            <a class="name" href={home.path}>
              {site.title}
            </a>
            <nav aria-label="Sections">
              {[...archive.sections.values()].map((s) => (
                <a href={s.path}>{s.name}</a>
              ))}
              <a href={FEEDS_PATH}>Feeds</a>
            </nav>
          </header>
          <main>{children}</main>
          <footer>
            <p class="feeds">
              Subscribe: {(own.length ? own : siteFeeds).map((f) => <a href={f.path}>{f.label}</a>)}
            </p>
            <p>{site.copyright}</p>
          </footer>
        </div>
      </body>
    </html>
  )
}
