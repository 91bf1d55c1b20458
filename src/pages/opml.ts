/**
 * @module
 * `/feeds.opml`: every feed as an OPML 2.0 subscription list (http://opml.org/spec2.opml), for
 * readers that import one. Serialised by xml-js (src/feeds/xml-js.ts).
 */
import type { Archive, Listing } from '../archive/archive'
import { xmlJsText } from '../feeds/sanitize'
import { serializeXml } from '../feeds/xml-js'
import { feedPath, FORMAT_NAMES, FORMATS } from '../site-map'

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
          _attributes: { text: l.title, title: l.title },
          outline: FORMAT_NAMES.map((format) => ({
            _attributes: {
              type: 'rss',
              version: FORMATS[format].opmlVersion,
              text: `${l.title} (${FORMATS[format].label})`,
              title: `${l.title} (${FORMATS[format].label})`,
              xmlUrl: archive.link(feedPath(l, format)).url,
              htmlUrl: l.url,
            },
          })),
        })),
      },
    },
  }
  return serializeXml(doc, 2) + '\n'
}
