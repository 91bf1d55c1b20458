/**
 * A strict XML parser for tests: saxes rejects what the XML 1.0 spec rejects (a BEL character,
 * a broken CDATA section, an undeclared prefix), unlike lenient validators. Builds a small tree
 * with namespace URIs so tests can ask for `{http://www.w3.org/2005/Atom}entry`.
 */
import { SaxesParser } from 'saxes'

export interface XmlElement {
  /** `{namespace}local`, or `local` when not in a namespace. */
  name: string
  attributes: Record<string, string>
  children: (XmlElement | string)[]
}

export const NS = {
  atom: 'http://www.w3.org/2005/Atom',
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
} as const

/** Parses a whole document; throws with saxes' message on anything that is not well-formed. */
export function parseXml(xml: string): XmlElement {
  const parser = new SaxesParser({ xmlns: true })
  const stack: XmlElement[] = []
  let root: XmlElement | undefined
  let error: Error | undefined
  parser.on('error', (e) => {
    error ??= e
  })
  parser.on('opentag', (tag) => {
    const el: XmlElement = {
      name: tag.uri ? `{${tag.uri}}${tag.local}` : tag.local,
      attributes: Object.fromEntries(Object.values(tag.attributes).map((a) => [a.uri ? `{${a.uri}}${a.local}` : a.local, a.value])),
      children: [],
    }
    stack.at(-1)?.children.push(el)
    stack.push(el)
    root ??= el
  })
  parser.on('closetag', () => void stack.pop())
  const text = (t: string) => stack.at(-1)?.children.push(t)
  parser.on('text', text)
  parser.on('cdata', text)
  parser.write(xml).close()
  if (error) throw error
  if (!root) throw new Error('no root element')
  return root
}

export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== 'string' && c.name === name)
}

export function child(el: XmlElement, name: string): XmlElement {
  const found = children(el, name)
  if (found.length !== 1) throw new Error(`expected one <${name}> in <${el.name}>, found ${found.length}`)
  return found[0]!
}

/** The element's text: its character data and CDATA sections, joined. */
export function textOf(el: XmlElement): string {
  return el.children.map((c) => (typeof c === 'string' ? c : textOf(c))).join('')
}

/** All descendant elements with this name. */
export function descendants(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => (typeof c === 'string' ? [] : [...(c.name === name ? [c] : []), ...descendants(c, name)]))
}

/** Reads an HTML-typed field as a person would see it (the five escapes HTML uses for text). */
export function htmlToText(html: string): string {
  return html.replace(/&(lt|gt|quot|#39|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[e]!)
}
