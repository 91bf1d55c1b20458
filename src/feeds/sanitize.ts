/**
 * @module
 * Text that every format can carry. XML 1.0 §2.2 allows only
 * `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`, so the C0 controls,
 * U+FFFE, U+FFFF and unpaired surrogates cannot appear in a feed, not even as character
 * references. We drop them once, when an article enters the collection, so that RSS, Atom,
 * JSON Feed and the HTML pages all say the same thing.
 */

/** Characters XML 1.0 forbids, plus lone surrogates (a `u`-flag regex sees pairs as one code point). */
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Removes what XML cannot carry and normalises line ends to LF, which is what an XML parser
 * would turn CR and CRLF into anyway (XML 1.0 §2.11); doing it here keeps the formats equal.
 */
export function cleanText(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(/\r\n?/g, '\n')
}

/** True when `cleanText` would leave the text as it is. */
export function isClean(text: string): boolean {
  return cleanText(text) === text
}

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
