/**
 * @module
 * Escaping for the contexts the feed adapters write into. The text itself is clean before it gets
 * here: every string passed the normalisation boundary (src/build/normalise.ts) at the build,
 * which refuses or removes what XML 1.0 §2.2 cannot carry and turns CR and CRLF into LF.
 */

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Plain text as HTML, for fields that a format declares to be HTML (Atom `type="html"`, RSS description). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!)
}

/** Character data of an XML element. `>` is escaped so that `]]>` can never appear. */
export function escapeXmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * An XML attribute value in double quotes. Tab, LF and CR become references because attribute
 * value normalisation (XML 1.0 §3.3.3) would otherwise turn them into spaces.
 */
export function escapeXmlAttribute(text: string): string {
  return escapeXmlText(text)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
}

/** The inside of a CDATA section: every `]]>` is split across two sections. */
export function escapeCdata(text: string): string {
  return text.replaceAll(']]>', ']]]]><![CDATA[>')
}

/**
 * Text for an xml-js `_text` node. xml-js first turns every `&amp;` back into `&` and then escapes,
 * so a literal "&amp;" would be read back as "&"; escaping `&` once beforehand cancels that out.
 */
export function xmlJsText(text: string): string {
  return text.replace(/&/g, '&amp;')
}

/** xml-js `attributesFn`: full escaping of attribute values (xml-js itself escapes only `"`). */
export function xmlJsAttributes(attributes: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, escapeXmlAttribute(String(v))]))
}
