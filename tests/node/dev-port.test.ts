/**
 * `npm run dev -- --port N` (issue: the script used to pass its own --port, and wrangler refused
 * two): address and port come from wrangler.toml `[dev]`, the flag overrides them, and every
 * absolute URL the dev server writes follows the port it really serves on.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startNpmDev } from './helpers/dev-server'
import { contentWorkspace } from './helpers/workspace'
import { child, children, NS, parseXml, textOf } from '../helpers/xml'

let origin: string
let stop: () => void
/** What npm run dev printed so far. */
let output: () => string = () => ''
// A copy of the project: its build step writes the archive there, never racing another test's.
let workspace: ReturnType<typeof contentWorkspace>

beforeAll(async () => {
  workspace = contentWorkspace({ worker: true })
  const dev = await startNpmDev(workspace.root)
  origin = dev.origin
  output = dev.output
  stop = () => {
    try {
      process.kill(-dev.npm.pid!, 'SIGTERM')
    } catch {
      /* already gone */
    }
  }
})

afterAll(async () => {
  stop?.()
  await new Promise((r) => setTimeout(r, 500))
  workspace?.cleanup()
})

describe('npm run dev -- --port N', () => {
  it('serves on that port, and the feeds link to it', async () => {
    const port = new URL(origin).port
    const rss = parseXml(await (await fetch(`${origin}/feed.xml`)).text())
    const self = children(child(rss, 'channel'), `{${NS.atom}}link`).find((l) => l.attributes.rel === 'self')
    expect(self?.attributes.href).toBe(`http://localhost:${port}/feed.xml`)
    const json = (await (await fetch(`${origin}/feed.json`)).json()) as { feed_url: string; home_page_url: string }
    expect([json.feed_url, json.home_page_url]).toEqual([`http://localhost:${port}/feed.json`, `http://localhost:${port}/`])
    expect((await fetch(`${origin}/atom.xml`)).headers.get('link')).toBe(`<http://localhost:${port}/hub>; rel="hub", <http://localhost:${port}/atom.xml>; rel="self"`)
    expect(output()).not.toContain('expects a single value')
  })
})

describe('npm run dev, on a content edit', () => {
  const file = () => join(workspace.root, 'content/articles/fleeing-fear-central-asians-exit-russia.ts')
  const headline = 'Fleeing Fear: Central Asians Exit Russia Amid Rising Hostility'
  const poll = async (until: (body: string) => boolean) => {
    const deadline = Date.now() + 60_000
    for (;;) {
      const body = await (await fetch(`${origin}/feed.xml`)).text()
      if (until(body)) return body
      if (Date.now() > deadline) throw new Error(`/feed.xml did not change as expected:\n${output().slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  const rebuilt = () => output().split('\n').filter((line) => line.startsWith('herald: content rebuilt'))
  /**
   * The line of the first rebuild after the `seen` reported so far. The dev server says what it did
   * once the worker has reopened the archive, so the line can reach us after the feed shows the edit.
   */
  const rebuiltAfter = async (seen: number) => {
    const deadline = Date.now() + 10_000
    while (rebuilt().length <= seen) {
      if (Date.now() > deadline) throw new Error(`no rebuild reported:\n${output().slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 50))
    }
    return rebuilt()[seen]!
  }

  it('rebuilds from the cache and serves the edited story, without a restart', async () => {
    const seen = rebuilt().length
    writeFileSync(file(), readFileSync(file(), 'utf8').replace(headline, `${headline} (corrected)`))
    const rss = parseXml(await poll((body) => body.includes('(corrected)')))
    expect(textOf(child(children(child(rss, 'channel'), 'item')[0]!, 'title'))).toBe(`${headline} (corrected)`)
    // A revision in place: the worker opened the revised archive when told to (no wrangler reload).
    expect(await rebuiltAfter(seen)).toContain('the worker reopened the archive')
  })

  it('reports a content mistake naming file and field, and keeps serving the last archive', async () => {
    const before = readFileSync(file(), 'utf8')
    writeFileSync(file(), before.replace("section: 'news'", "section: 'no-such-section'"))
    const deadline = Date.now() + 60_000
    while (!output().includes('content/articles/fleeing-fear-central-asians-exit-russia.ts') || !output().includes('section')) {
      if (Date.now() > deadline) throw new Error(`no problem reported:\n${output().slice(-3000)}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(output()).toContain('still serving the last archive')
    expect(await (await fetch(`${origin}/feed.xml`)).text()).toContain('(corrected)')
    writeFileSync(file(), before)
  })

  it('serves a change that is no revision in place (a withdrawal) once wrangler has loaded the new archive', async () => {
    const slug = 'fleeing-fear-central-asians-exit-russia'
    const before = readFileSync(file(), 'utf8')
    // The restored file of the test before is rebuilt first (the revision), then this.
    writeFileSync(file(), before.replace("  timeZone: 'America/New_York',", "  timeZone: 'America/New_York',\n  withdrawn: { at: '2024-03-29T09:00:00-04:00', reason: 'Withdrawn for the test.' },"))
    await poll((body) => !body.includes(headline))
    expect(rebuilt().at(-1)).not.toContain('reopened')
    expect((await fetch(`${origin}/articles/${slug}`)).status).toBe(410)
    writeFileSync(file(), before)
    await poll((body) => body.includes(headline))
  })
})
