/** An aggregator's walk through a paged feed (RFC 5005): every page through rel="next", the ids of every item. */
import { expect } from 'vitest'
import { ORIGIN } from './worker'
import { child, children, NS, parseXml, textOf } from './xml'

export type Walked = { ids: string[]; pages: number }
type Request = (path: string) => Response | Promise<Response>

export async function walk(request: Request, format: 'rss' | 'atom' | 'json', first: string): Promise<Walked> {
  const ids: string[] = []
  let url: string | undefined = first
  let pages = 0
  while (url) {
    expect(url.startsWith(ORIGIN)).toBe(true)
    const res = await request(url.slice(ORIGIN.length))
    expect(res.status, url).toBe(200)
    pages++
    const body = await res.text()
    if (format === 'json') {
      const json = JSON.parse(body)
      ids.push(...json.items.map((i: { id: string }) => i.id))
      url = json.next_url
    } else if (format === 'rss') {
      const channel = child(parseXml(body), 'channel')
      ids.push(...children(channel, 'item').map((i) => textOf(child(i, 'guid'))))
      url = children(channel, `{${NS.atom}}link`).find((l) => l.attributes.rel === 'next')?.attributes.href
    } else {
      const feed = parseXml(body)
      ids.push(...children(feed, `{${NS.atom}}entry`).map((e) => textOf(child(e, `{${NS.atom}}id`))))
      url = children(feed, `{${NS.atom}}link`).find((l) => l.attributes.rel === 'next')?.attributes.href
    }
    expect(pages).toBeLessThan(20)
  }
  return { ids, pages }
}

/** The ids of one feed document, in order, in any format. */
export function idsOf(format: 'rss' | 'atom' | 'json', body: string): string[] {
  if (format === 'json') return JSON.parse(body).items.map((i: { id: string }) => i.id)
  if (format === 'rss') return children(child(parseXml(body), 'channel'), 'item').map((i) => textOf(child(i, 'guid')))
  return children(parseXml(body), `{${NS.atom}}entry`).map((e) => textOf(child(e, `{${NS.atom}}id`)))
}
