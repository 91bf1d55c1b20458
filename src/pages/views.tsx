/**
 * @module
 * The pages the feeds link to: home, article, and the listings (section, tag, author).
 */
import { raw } from 'hono/html'
import type { Archive, Listing } from '../archive/archive'
import type { Story } from '../content/story'
import { pageQuery, type Page } from '../feeds/paging'
import { dateline, shortDate } from './dateline'
import { feedLinks, Layout } from './layout'

/** Stories as a list: section, headline (linked), dek, date. */
export function StoryList({ stories }: { stories: readonly Story[] }) {
  if (stories.length === 0) return <p>No stories yet.</p>
  return (
    <ul class="stories">
      {stories.map((s) => (
        <li>
          <a class="kicker" href={s.section.path}>
            {s.section.name}
          </a>
          <h2>
            <a href={s.path}>{s.headline}</a>
          </h2>
          <p>{s.dek}</p>
          <p class="meta">
            <time datetime={s.published.toISOString()}>{s.datelines?.date ?? shortDate(s.published, s.timeZone)}</time>
          </p>
        </li>
      ))}
    </ul>
  )
}

export function ListingPage({ archive, listing, page }: { archive: Archive; listing: Listing; page: Page }) {
  const isHome = listing.path === '/'
  const { next, previous } = page.links
  return (
    <Layout archive={archive} title={listing.title} description={listing.description} canonical={archive.link(listing.path + pageQuery(page.request))} feedsOf={listing}>
      {isHome ? <h1>Latest stories</h1> : <h1>{listing.name}</h1>}
      <p class="dek">{listing.description}</p>
      <StoryList stories={page.stories} />
      {(next || previous) && (
        <nav class="pager" aria-label="More stories">
          {previous && <a href={listing.path + pageQuery(previous)} rel="prev">Newer stories</a>}
          {next && <a href={listing.path + pageQuery(next)} rel="next">Older stories</a>}
        </nav>
      )}
    </Layout>
  )
}

/**
 * An article's whole page as sent. Rendered at build time into the archive's page files
 * (src/build/pages.ts), never per request: a new isolate's first article costs a read, not a render.
 */
export function articleDocument(archive: Archive, story: Story): string {
  return `<!doctype html>${String(<ArticlePage archive={archive} story={story} />)}`
}

export function ArticlePage({ archive, story }: { archive: Archive; story: Story }) {
  const corrected = story.updated.getTime() !== story.published.getTime()
  return (
    <Layout
      archive={archive}
      title={`${story.headline} · ${archive.site.title}`}
      description={story.dek}
      canonical={story}
      feedsOf={archive.sections.get(story.section.key)}
    >
      <article lang={story.language}>
        <a class="kicker" href={story.section.path}>
          {story.section.name}
        </a>
        <h1>{story.headline}</h1>
        <p class="dek">{story.dek}</p>
        <p class="meta">
          By{' '}
          {story.authors.map((a, i) => (
            <>
              {i > 0 && (i === story.authors.length - 1 ? ' and ' : ', ')}
              <a href={a.path} rel="author">
                {a.name}
              </a>
            </>
          ))}
          <br />
          <time datetime={story.published.toISOString()}>{story.datelines?.published ?? dateline(story.published, story.timeZone)}</time>
          {corrected && (
            <>
              {' · Updated '}
              <time datetime={story.updated.toISOString()}>{story.datelines?.updated ?? dateline(story.updated, story.timeZone)}</time>
            </>
          )}
        </p>
        <div class="body">{raw(story.html)}</div>
        {story.tags.length > 0 && (
          <ul class="tags" aria-label="Tags">
            {story.tags.map((t) => (
              <li>
                <a href={t.path} rel="tag">
                  {t.name}
                </a>
              </li>
            ))}
          </ul>
        )}
      </article>
    </Layout>
  )
}

/**
 * What a withdrawn story's address shows from its withdrawal on (410 Gone): when and why, and
 * nothing of the story itself, whose headline may be what had to go.
 */
export function WithdrawnPage({ archive, story }: { archive: Archive; story: Story }) {
  const w = story.withdrawn!
  return (
    <Layout archive={archive} title={`Story withdrawn · ${archive.site.title}`} description="This story has been withdrawn." canonical={story}>
      <article class="withdrawn">
        <h1>This story has been withdrawn</h1>
        <p class="meta">
          Withdrawn <time datetime={w.at.toISOString()}>{w.dateline ?? dateline(w.at, story.timeZone)}</time>
        </p>
        <p class="dek">{w.reason}</p>
        <p>
          The latest stories are on the <a href="/">front page</a>.
        </p>
      </article>
    </Layout>
  )
}

/** An index of listings (all sections, all tags), each with its feeds. */
export function IndexPage(props: { archive: Archive; title: string; path: string; listings: readonly Listing[] }) {
  const { archive, title, listings } = props
  return (
    <Layout
      archive={archive}
      title={`${title} · ${archive.site.title}`}
      description={`${title} of ${archive.site.title}.`}
      canonical={archive.link(props.path)}
    >
      <h1>{title}</h1>
      <ul class="stories">
        {listings.map((l) => (
          <li>
            <h2>
              <a href={l.path}>{l.name}</a>
            </h2>
            <p>{l.description}</p>
            <p class="meta feeds">
              {feedLinks(l).map((f) => (
                <a href={f.path} type={f.type}>
                  {f.label}
                </a>
              ))}
            </p>
          </li>
        ))}
      </ul>
    </Layout>
  )
}

export function NotFoundPage({ archive }: { archive: Archive }) {
  return (
    <Layout archive={archive} title={`Not found · ${archive.site.title}`} description="No page at this address.">
      <h1>Not found</h1>
      <p>There is no page at this address. The latest stories are on the <a href="/">front page</a>.</p>
    </Layout>
  )
}
