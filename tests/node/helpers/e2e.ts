/** Shared by the end-to-end tests: scheduled stories written into a workspace, and waiting. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeArticleIndex } from '../../../scripts/lib/article-index'

export interface ScheduledStory {
  slug: string
  headline: string
  /** When it goes live (ms since the epoch). */
  at: number
  /** A correction's instant, if any. */
  updated?: number
  /** A withdrawal, if any: from when (ms), and why. */
  withdrawn?: { at: number; reason: string }
}

const instant = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z')

export function scheduledArticle(story: ScheduledStory): string {
  return `import { defineArticle } from '../define'
export default defineArticle({
  id: 'tag:herald.example.com,2024:${story.slug}',
  slug: '${story.slug}',
  headline: '${story.headline}',
  dek: 'A story scheduled for the end-to-end test.',
  section: 'news',
  tags: ['Testing'],
  published: '${instant(story.at)}',${story.updated ? `\n  updated: '${instant(story.updated)}',` : ''}${story.withdrawn ? `\n  withdrawn: { at: '${instant(story.withdrawn.at)}', reason: ${JSON.stringify(story.withdrawn.reason)} },` : ''}
  timeZone: 'UTC',
  body: 'Scheduled body.',
})
`
}

/** Writes the stories into `root`'s content, with the article index and ledger `npm run new` would keep. */
export function writeScheduled(root: string, stories: ScheduledStory[]): void {
  const dir = join(root, 'content/articles')
  for (const s of stories) writeFileSync(join(dir, `${s.slug}.ts`), scheduledArticle(s))
  writeArticleIndex(dir)
  const ledger = join(root, 'content/ledger.json')
  const entries = Object.fromEntries(stories.map((s) => [`content/articles/${s.slug}.ts`, `tag:herald.example.com,2024:${s.slug}`]))
  writeFileSync(ledger, JSON.stringify({ ...JSON.parse(readFileSync(ledger, 'utf8')), ...entries }, null, 2))
}

/** Polls `probe` until it gives a value; the failure names `what` and shows `context()`. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, context: () => string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n--- wrangler ---\n${context()}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

export const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())))
