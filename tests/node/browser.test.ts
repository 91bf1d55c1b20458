/**
 * Herald as a person meets it: `wrangler dev` serving the real content, Debian's Chromium driven by
 * playwright-core at phone width. Follows the home page's feed autodiscovery link and an article
 * link, checks the JSON Feed and Atom that the real server sends, and saves a screenshot.
 */
import { mkdirSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import content from '../../content/index'
import { atomSchemaErrors } from './helpers/atom-schema'
import { startDevServer, type DevServer } from './helpers/dev-server'
import { jsonFeedErrors } from '../helpers/json-feed'
import { child, children, parseXml, textOf } from '../helpers/xml'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
const STORY = content.articles[0]!
export const SCREENSHOT = 'test-results/article-phone.png'

let server: DevServer
let browser: Browser

beforeAll(async () => {
  server = await startDevServer()
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
})

afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('in a browser at phone width', () => {
  it('follows the RSS autodiscovery link from the home page to a feed that parses', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true })
    await page.goto(server.origin + '/')
    const href = await page.locator('link[rel="alternate"][type="application/rss+xml"]').first().getAttribute('href')
    expect(href).toBe(`${server.origin}/feed.xml`)
    const feed = await page.request.get(href!)
    expect(feed.status()).toBe(200)
    expect(feed.headers()['content-type']).toBe('application/rss+xml; charset=utf-8')
    const items = children(child(parseXml(await feed.text()), 'channel'), 'item')
    expect(items.map((i) => textOf(child(i, 'title')))).toContain(STORY.headline)
    await page.close()
  })

  it('opens an article from the home page, shows it readably, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true })
    await page.goto(server.origin + '/')
    await page.getByRole('link', { name: STORY.headline }).click()
    await page.waitForURL(`${server.origin}/articles/${STORY.slug}`)
    await expect.poll(() => page.locator('h1').textContent()).toBe(STORY.headline)
    expect(await page.locator('figcaption').textContent()).toContain('© Telegram')
    expect(await page.locator('blockquote').count()).toBe(1)
    expect(await page.locator('time').first().textContent()).toMatch(/^7:58\sPM EDT, March 28, 2024$/)
    // Nothing wider than the phone: no sideways scrolling.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
    expect(overflow).toBeLessThanOrEqual(0)
    mkdirSync('test-results', { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    await page.close()
  })
})

describe('a feed opened in the browser', () => {
  it('is a readable preview, not raw XML, while a reader still gets the feed', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true })
    const res = await page.goto(server.origin + '/feed.xml')
    expect(res?.headers()['content-type']).toBe('text/html; charset=utf-8')
    expect(await page.locator('code').textContent()).toBe(`${server.origin}/feed.xml`)
    expect(await page.getByRole('link', { name: STORY.headline }).count()).toBe(1)
    await page.close()
    const reader = await fetch(server.origin + '/feed.xml', { headers: { Accept: 'application/rss+xml, text/html, */*' } })
    expect(reader.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8')
  })
})

describe('the feeds the dev server sends', () => {
  it('are valid Atom by the RFC 4287 schema', async () => {
    for (const path of ['/atom.xml', '/sections/news/atom.xml']) {
      const xml = await (await fetch(server.origin + path)).text()
      expect(atomSchemaErrors(xml), path).toEqual([])
    }
  })

  it('are valid JSON Feed 1.1 by the schema', async () => {
    const res = await fetch(server.origin + '/feed.json')
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8')
    expect(jsonFeedErrors(await res.json())).toEqual([])
  })
})
