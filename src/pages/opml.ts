/**
 * @module
 * `/feeds.opml`: every feed as an OPML 2.0 subscription list (http://opml.org/spec2.opml), for
 * readers that import one. Serialised by xml-js (src/feeds/xml-js.ts).
 */
import type { Archive, Listing } from '../archive/archive'
import { xmlJsText } from '../feeds/sanitize'
import { serializeXml } from '../feeds/xml-js'
import { feedPath } from '../site-map'

/**
 * One feed per listing, in RSS: a reader importing the list subscribes to every `xmlUrl` in it,
 * nested or not, so listing the three formats of each feed showed every story three times. RSS is
 * the one every reader takes; `/feeds` names the other formats for people.
 */
export function renderOpml(archive: Archive, listings: readonly Listing[], dateModified: Date): string {
  const doc = {
    _declaration: { _attributes: { version: '1.0', encoding: 'utf-8' } },
    opml: {
      _attributes: { version: '2.0' },
      head: {
        title: { _text: xmlJsText(`${archive.site.title} feeds`) },
        dateModified: { _text: dateModified.toUTCString() },
        docs: { _text: 'http://opml.org/spec2.opml' },
      },
      body: {
        outline: listings.map((l) => ({
          _attributes: {
            // OPML 2.0 §"Subscription lists": type "rss" and version "RSS" for RSS 2.0.
            type: 'rss',
            version: 'RSS',
            text: l.title,
            title: l.title,
            xmlUrl: archive.link(feedPath(l, 'rss')).url,
            htmlUrl: l.url,
          },
        })),
      },
    },
  }
  return serializeXml(doc, 2) + '\n'
}
