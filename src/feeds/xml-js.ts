/**
 * @module
 * xml-js (feed's own serialiser) for the few elements Herald writes itself — paging links, OPML —
 * with its escaping gaps closed: attribute values fully escaped (it escapes only `"`).
 * Text nodes still need `xmlJsText()` from sanitize.ts.
 */
import { js2xml } from 'xml-js'
import { xmlJsAttributes } from './sanitize'

export function serializeXml(doc: Record<string, unknown>, spaces = 0): string {
  // xml-js's typings describe attributesFn wrongly (per value); at run time it maps the whole object.
  const options = { compact: true, spaces, attributesFn: xmlJsAttributes } as unknown as Parameters<typeof js2xml>[1]
  return js2xml(doc, options)
}
