/**
 * @module
 * What a person sees on opening a feed URL in a browser: the feed's title and stories and how to
 * subscribe, instead of raw XML (XSLT is no answer: browsers are removing it). Only for browser
 * navigations (`Sec-Fetch-Mode: navigate` + `Sec-Fetch-Dest: document`), never decided by `Accept`:
 * Miniflux, for one, sends `text/html` at full weight.
 */
import type { Archive, Listing } from '../archive/archive'
import type { Format } from '../feeds/build'
import { pageQuery, type Page } from '../feeds/paging'
import { feedLinks, Layout } from './layout'
import { StoryList } from './views'

/** True for a top-level browser navigation, per Fetch Metadata (W3C). */
export function isBrowserNavigation(headers: Headers): boolean {
  return headers.get('sec-fetch-mode') === 'navigate' && headers.get('sec-fetch-dest') === 'document'
}

export function FeedPreview(props: { archive: Archive; listing: Listing; page: Page; format: Format; selfPath: string }) {
  const { archive, listing, page, format, selfPath } = props
  const formats = feedLinks(listing)
  const current = formats.find((f) => f.format === format)!
  const feedUrl = archive.link(selfPath).url
  return (
    <Layout
      archive={archive}
      title={`${current.label} feed: ${listing.title}`}
      description={`Subscribe to ${listing.title} in a feed reader.`}
      canonical={archive.link(selfPath)}
      feedsOf={listing}
    >
      <p class="kicker">{current.label} feed</p>
      <h1>{listing.name}</h1>
      <p class="dek">
        This is a web feed. To follow {listing.name} in a feed reader (NetNewsWire, Feedly, Inoreader, Miniflux, newsboat…),
        copy this address into it:
      </p>
      <p>
        <code>{feedUrl}</code>
      </p>
      <p class="meta feeds">
        Also as: {formats.filter((f) => f.format !== format).map((f) => <a href={f.path}>{f.label}</a>)} · Web page:{' '}
        <a href={listing.path}>{listing.path}</a>
      </p>
      <StoryList stories={page.stories} />
      {page.links.next && (
        <p>
          <a href={selfPath.replace(/\?.*$/, '') + pageQuery(page.links.next)} rel="next">
            Older stories
          </a>
        </p>
      )}
    </Layout>
  )
}
